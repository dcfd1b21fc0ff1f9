// WorkerView: a read-only picture of one worker slot, for metrics (RSS per
// slot) and the control socket's `workers` command.
#pragma once

#include <cstdint>
#include <string>

namespace stickerd {

struct WorkerView {
  unsigned slot = 0;
  int pid = 0;        // 0: no live process in the slot
  std::string state;  // starting, idle, busy, killing, retiring, waiting, disabled, stopped
  std::uint64_t tasks_done = 0;  // by the current process
  // Why the slot's previous worker ended ("" when none has): an ExitReason
  // label, and how the process ended ("signal SIGKILL", "exit code 0").
  std::string last_exit_reason;
  std::string last_exit_status;
  // The current process's sandbox as its READY said: "seccomp+landlock",
  // "seccomp", "off"; "" before READY.
  std::string sandbox;
};

}  // namespace stickerd
