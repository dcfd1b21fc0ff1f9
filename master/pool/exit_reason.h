// ExitReason: why the worker process in a slot ended, as the supervisor knows
// it (a crash, a deadline kill, recycling, a rolling restart, ...). Operators
// see the last one per slot in `stickerctl workers`; the restart metric's
// reasons are a coarser view of the same facts (master/metrics.h).
#pragma once

#include <string>

#include "master/pool/death_cause.h"

namespace stickerd {

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
};

// The reason's label: "crash", "deadline", "scale-down", ...; "" for kNone.
const char* exit_reason_label(ExitReason reason);

// How a process ended, for people: "signal SIGKILL" or "exit code 3".
std::string describe_death(const DeathCause& cause);

// A slot's last ended worker: why, and how the process ended.
struct LastExit {
  ExitReason reason = ExitReason::kNone;
  DeathCause cause;
};

}  // namespace stickerd
