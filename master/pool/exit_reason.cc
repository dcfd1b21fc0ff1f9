// ExitReason labels and the wording of a process's end.
#include "master/pool/exit_reason.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace stickerd {

const char* exit_reason_label(ExitReason reason) {
  switch (reason) {
    case ExitReason::kNone:
      return "";
    case ExitReason::kCrash:
      return "crash";
    case ExitReason::kDeadline:
      return "deadline";
    case ExitReason::kRecycle:
      return "recycle";
    case ExitReason::kMemory:
      return "memory";
    case ExitReason::kRestart:
      return "restart";
    case ExitReason::kScaleDown:
      return "scale-down";
    case ExitReason::kConfig:
      return "config";
    case ExitReason::kShutdown:
      return "shutdown";
    case ExitReason::kSpawnFailed:
      return "spawn-failed";
    case ExitReason::kSandbox:
      return "sandbox";
  }
  return "";
}

ExitReason classify_exit(const ExitFacts& f) {
  if (f.stopping) return ExitReason::kShutdown;
  if (f.removed) {
    return f.killing     ? ExitReason::kDeadline
           : f.task_lost ? ExitReason::kCrash
                         : ExitReason::kScaleDown;
  }
  if (f.retire_requested && f.retiring && !f.task_lost) return ExitReason::kRestart;
  if (f.cause.term_signal == 0 && f.cause.exit_code == kWorkerExitFatalConfig)
    return ExitReason::kConfig;
  // Only the worker's seccomp filter sends SIGSYS (a bad system call number
  // would too, but no compiled code makes one).
  if (f.cause.term_signal == SIGSYS) return ExitReason::kSandbox;
  if (f.killing) return ExitReason::kDeadline;
  if (f.retiring && !f.task_lost) return f.recycle_reason;
  return ExitReason::kCrash;
}

std::string describe_system_call(std::uint32_t number, std::string_view name) {
  const bool plain = !name.empty() && name.size() <= 32 &&
                     std::all_of(name.begin(), name.end(),
                                 [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
  if (!plain) return fmt::format("system call {}", number);
  return fmt::format("system call {} ({})", number, name);
}

std::string describe_death(const DeathCause& cause) {
  if (cause.term_signal == 0) return fmt::format("exit code {}", cause.exit_code);
  // The short name (SIGKILL) is what operators type into kill(1).
  if (const char* abbrev = ::sigabbrev_np(cause.term_signal))
    return fmt::format("signal SIG{}", abbrev);
  return fmt::format("signal {}", cause.term_signal);
}

}  // namespace stickerd
