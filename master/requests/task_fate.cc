#include "master/requests/task_fate.h"

#include <csignal>

namespace stickerd {

bool self_inflicted(DeathCause cause) {
  return cause.term_signal != SIGKILL && cause.term_signal != SIGTERM;
}

TaskFate lost_task_fate(const LostTask& lost) {
  if (!lost.wanted) return {TaskFate::Kind::kForget, lost.crashes};
  const unsigned crashes = lost.crashes + (self_inflicted(lost.cause) ? 1 : 0);
  if (lost.attempts <= lost.max_retries && !lost.stopping) return {TaskFate::Kind::kRetry, crashes};
  if (!lost.stopping && crashes > lost.max_retries) return {TaskFate::Kind::kPoisoned, crashes};
  return {TaskFate::Kind::kWorkerCrashed, crashes};
}

}  // namespace stickerd
