// ExitReason: why the worker process in a slot ended, as the supervisor knows
// it (a crash, a deadline kill, recycling, a rolling restart, ...). The one
// vocabulary for it: the logs, `stickerctl workers` (the last one per slot)
// and the restart metric's `reason` label all use exit_reason_label().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "master/pool/death_cause.h"

namespace stickerd {

// The worker exit code that means "my configuration is broken; restarting
// me will not help" (sysexits.h EX_CONFIG).
inline constexpr std::int64_t kWorkerExitFatalConfig = 78;

enum class ExitReason {
  kNone,         // no worker has ended in this slot yet
  kCrash,        // died on its own (a signal or an exit code we did not ask for)
  kDeadline,     // SIGKILLed because its task passed the deadline
  kRecycle,      // retired after its task limit
  kMemory,       // retired after a result reported RSS over the limit
  kRestart,      // replaced by a rolling restart
  kScaleDown,    // retired because the pool shrank
  kConfig,       // exited 78: its configuration is broken; not respawned
  kShutdown,     // stopped with the daemon
  kSpawnFailed,  // no process at all: fork or exec failed
  kSandbox,      // killed by its seccomp filter (SIGSYS): a forbidden system call
};
inline constexpr std::size_t kExitReasonCount = static_cast<std::size_t>(ExitReason::kSandbox) + 1;

// The reason's label: "crash", "deadline", "scale-down", ...; "" for kNone.
const char* exit_reason_label(ExitReason reason);

// How a process ended, for people: "signal SIGKILL" or "exit code 3".
std::string describe_death(const DeathCause& cause);

// The system call a worker's sandbox violation reported, for the log:
// "system call 59 (execve)". A compromised worker wrote the name, so it is
// shown only when it looks like one (up to 32 letters, digits and _);
// otherwise "system call 59".
std::string describe_system_call(std::uint32_t number, std::string_view name);

// The reasons a slot's worker is replaced by a new one (respawned): what the
// restart metric counts, each under its own label.
inline constexpr std::initializer_list<ExitReason> kRespawnReasons = {
    ExitReason::kCrash,  ExitReason::kDeadline,    ExitReason::kRecycle,
    ExitReason::kMemory, ExitReason::kSpawnFailed, ExitReason::kSandbox};

// How many workers were replaced, by reason.
class ExitCounts {
 public:
  void add(ExitReason reason) { ++counts_[static_cast<std::size_t>(reason)]; }
  std::uint64_t of(ExitReason reason) const { return counts_[static_cast<std::size_t>(reason)]; }
  // Workers that died (crashed, broke the sandbox, missed a deadline or never
  // started) and were replaced: the stats' `restarts`.
  std::uint64_t restarts() const {
    return of(ExitReason::kCrash) + of(ExitReason::kSandbox) + of(ExitReason::kDeadline) +
           of(ExitReason::kSpawnFailed);
  }
  // Workers retired at their task or memory limit: the stats' `recycled_workers`.
  std::uint64_t recycles() const { return of(ExitReason::kRecycle) + of(ExitReason::kMemory); }

 private:
  std::array<std::uint64_t, kExitReasonCount> counts_{};
};

// What the supervisor knew about a slot when its worker ended.
struct ExitFacts {
  DeathCause cause;
  bool stopping = false;          // the daemon is stopping its workers
  bool removed = false;           // the slot was scaled away
  bool retire_requested = false;  // a rolling restart asked it to go
  bool killing = false;           // SIGKILLed for passing a deadline
  bool retiring = false;          // asked to exit after its task (recycling or restart)
  bool task_lost = false;         // it held a task nobody had answered yet
  ExitReason recycle_reason = ExitReason::kRecycle;  // why it was retiring
};

// Why the worker ended. Pure: the supervisor acts on it, tests drive it from memory.
ExitReason classify_exit(const ExitFacts& facts);

// A slot's last ended worker: why, and how the process ended.
struct LastExit {
  ExitReason reason = ExitReason::kNone;
  DeathCause cause;
};

}  // namespace stickerd
