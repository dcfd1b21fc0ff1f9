#include "master/pool/exit_reason.h"

#include <csignal>
#include <string>

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("a process's end reads as the signal's short name or the exit code") {
  CHECK(describe_death({SIGKILL, 0}) == "signal SIGKILL");
  CHECK(describe_death({SIGSEGV, 0}) == "signal SIGSEGV");
  CHECK(describe_death({0, 3}) == "exit code 3");
  CHECK(describe_death({0, 0}) == "exit code 0");
}

TEST_CASE("exit reasons have the labels stickerctl workers shows") {
  CHECK(std::string(exit_reason_label(ExitReason::kNone)).empty());
  CHECK(std::string(exit_reason_label(ExitReason::kCrash)) == "crash");
  CHECK(std::string(exit_reason_label(ExitReason::kMemory)) == "memory");
  CHECK(std::string(exit_reason_label(ExitReason::kScaleDown)) == "scale-down");
  CHECK(std::string(exit_reason_label(ExitReason::kRestart)) == "restart");
}

}  // namespace stickerd
