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

TEST_CASE("a reported system call is named only when its name looks like one") {
  CHECK(describe_system_call(59, "execve") == "system call 59 (execve)");
  CHECK(describe_system_call(334, "rseq") == "system call 334 (rseq)");
  CHECK(describe_system_call(59, "") == "system call 59");
  // A compromised worker wrote the frame: nothing else reaches the log.
  CHECK(describe_system_call(59, "execve\n<3>stickerd: forged") == "system call 59");
  CHECK(describe_system_call(59, std::string(33, 'a')) == "system call 59");
}

TEST_CASE("exit reasons have the labels stickerctl workers shows") {
  CHECK(std::string(exit_reason_label(ExitReason::kNone)).empty());
  CHECK(std::string(exit_reason_label(ExitReason::kCrash)) == "crash");
  CHECK(std::string(exit_reason_label(ExitReason::kMemory)) == "memory");
  CHECK(std::string(exit_reason_label(ExitReason::kScaleDown)) == "scale-down");
  CHECK(std::string(exit_reason_label(ExitReason::kRestart)) == "restart");
  CHECK(std::string(exit_reason_label(ExitReason::kSandbox)) == "sandbox");
}

TEST_CASE("why a worker ended follows from what the supervisor knew, in order of precedence") {
  const DeathCause killed{SIGKILL, 0};
  const DeathCause segv{SIGSEGV, 0};
  const DeathCause clean{0, 0};
  // Stopping the daemon explains every end, even a crash.
  CHECK(classify_exit({.cause = segv, .stopping = true, .task_lost = true}) ==
        ExitReason::kShutdown);
  // A scaled-away slot: a deadline kill, a crash with a task, or simply the shrink.
  CHECK(classify_exit({.cause = killed, .removed = true, .killing = true}) ==
        ExitReason::kDeadline);
  CHECK(classify_exit({.cause = segv, .removed = true, .task_lost = true}) == ExitReason::kCrash);
  CHECK(classify_exit({.cause = clean, .removed = true, .retiring = true}) ==
        ExitReason::kScaleDown);
  // A rolling restart's worker that went without a task.
  CHECK(classify_exit({.cause = clean, .retire_requested = true, .retiring = true}) ==
        ExitReason::kRestart);
  // Exit code 78 is a broken configuration, unless it was asked to go.
  CHECK(classify_exit({.cause = {0, kWorkerExitFatalConfig}}) == ExitReason::kConfig);
  CHECK(classify_exit({.cause = killed, .killing = true}) == ExitReason::kDeadline);
  CHECK(classify_exit({.cause = clean, .retiring = true, .recycle_reason = ExitReason::kMemory}) ==
        ExitReason::kMemory);
  CHECK(classify_exit({.cause = clean, .retiring = true}) == ExitReason::kRecycle);
  // Retiring but holding a task nobody answered: it died rendering.
  CHECK(classify_exit({.cause = segv, .retiring = true, .task_lost = true}) == ExitReason::kCrash);
  // SIGSYS is the seccomp filter's: a sandbox violation, not a crash, even
  // while retiring; stopping and scaling away still explain it first.
  const DeathCause sigsys{SIGSYS, 0};
  CHECK(classify_exit({.cause = sigsys, .task_lost = true}) == ExitReason::kSandbox);
  CHECK(classify_exit({.cause = sigsys, .retiring = true, .task_lost = true}) ==
        ExitReason::kSandbox);
  CHECK(classify_exit({.cause = sigsys, .stopping = true}) == ExitReason::kShutdown);
  CHECK(classify_exit({.cause = clean}) == ExitReason::kCrash);   // exited on its own
  CHECK(classify_exit({.cause = killed}) == ExitReason::kCrash);  // killed from outside
}

TEST_CASE("replaced workers are counted by reason, and the stats' sums follow from them") {
  ExitCounts counts;
  for (ExitReason reason :
       {ExitReason::kCrash, ExitReason::kCrash, ExitReason::kDeadline, ExitReason::kSpawnFailed,
        ExitReason::kRecycle, ExitReason::kMemory, ExitReason::kMemory, ExitReason::kSandbox}) {
    counts.add(reason);
  }
  CHECK(counts.of(ExitReason::kCrash) == 2);
  CHECK(counts.of(ExitReason::kMemory) == 2);
  CHECK(counts.of(ExitReason::kRestart) == 0);
  CHECK(counts.of(ExitReason::kSandbox) == 1);
  CHECK(counts.restarts() == 5);  // crash, crash, deadline, spawn-failed, sandbox
  CHECK(counts.recycles() == 3);  // recycle, memory, memory
}

TEST_CASE("every reason a worker is replaced for has a label for the restart metric") {
  for (ExitReason reason : kRespawnReasons) CHECK(std::string(exit_reason_label(reason)) != "");
}

}  // namespace stickerd
