// TaskFate: what becomes of a task whose worker died holding it. Pure: a
// function of the task's history, the death and the settings, so every
// branch is unit-tested from memory (tests/unit/master/requests/task_fate_test.cc).
//
// The rule: a task nobody waits for any more is forgotten. Otherwise it is
// retried (at the front of its class) up to max_retries times; then it is
// POISONED when every death was the worker's own doing (a crash signal or an
// exit code: the request is the likely cause, so identical requests are
// refused for a while), or WORKER_CRASHED when something outside killed it
// (SIGKILL, SIGTERM: an operator, the OOM killer, a chaos test), which says
// nothing about the request. While the daemon stops nothing is retried and
// nothing is poisoned.
#pragma once

#include <cstdint>

#include "master/pool/death_cause.h"

namespace stickerd {

// The facts the decision needs.
struct LostTask {
  bool wanted = true;        // some booked request still waits for it
  unsigned attempts = 0;     // workers it has been handed to, this one included
  unsigned crashes = 0;      // self-inflicted deaths before this one
  DeathCause cause;          // how this worker died
  unsigned max_retries = 1;  // --max-retries
  bool stopping = false;     // the daemon is stopping: no retry, no poison
};

struct TaskFate {
  enum class Kind {
    kForget,         // nobody waits: drop it (and its flight)
    kRetry,          // queue it again at the front of its class
    kPoisoned,       // answer POISONED and remember its fingerprint
    kWorkerCrashed,  // answer WORKER_CRASHED
  };
  Kind kind = Kind::kForget;
  unsigned crashes = 0;  // the task's self-inflicted deaths, this one counted
};

// Whether the worker died by its own hand (a crash signal or an exit code)
// rather than being killed from outside (SIGKILL, SIGTERM).
bool self_inflicted(DeathCause cause);

TaskFate lost_task_fate(const LostTask& lost);

}  // namespace stickerd
