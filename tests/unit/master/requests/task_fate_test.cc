// Unit tests for master/requests/task_fate: what becomes of a task whose
// worker died, decided from memory.
#include <doctest/doctest.h>

#include <csignal>

#include "master/requests/task_fate.h"

using namespace stickerd;

namespace {

constexpr DeathCause kSegv{SIGSEGV, 0};
constexpr DeathCause kKilled{SIGKILL, 0};
constexpr DeathCause kTerminated{SIGTERM, 0};
constexpr DeathCause kExit3{0, 3};

LostTask lost(unsigned attempts, unsigned crashes, DeathCause cause) {
  LostTask t;
  t.attempts = attempts;
  t.crashes = crashes;
  t.cause = cause;
  t.max_retries = 1;
  return t;
}

}  // namespace

TEST_CASE(
    "a crash signal or an exit code is self-inflicted; SIGKILL and SIGTERM come from outside") {
  CHECK(self_inflicted(kSegv));
  CHECK(self_inflicted(kExit3));
  CHECK(self_inflicted(DeathCause{SIGABRT, 0}));
  CHECK_FALSE(self_inflicted(kKilled));
  CHECK_FALSE(self_inflicted(kTerminated));
}

TEST_CASE("a task nobody waits for is forgotten, whatever killed its worker") {
  LostTask t = lost(1, 0, kSegv);
  t.wanted = false;
  const TaskFate fate = lost_task_fate(t);
  CHECK(fate.kind == TaskFate::Kind::kForget);
  CHECK(fate.crashes == 0);  // not counted: nothing is decided about it
}

TEST_CASE("a first loss is retried and counts the crash only when self-inflicted") {
  TaskFate fate = lost_task_fate(lost(1, 0, kSegv));
  CHECK(fate.kind == TaskFate::Kind::kRetry);
  CHECK(fate.crashes == 1);
  fate = lost_task_fate(lost(1, 0, kKilled));
  CHECK(fate.kind == TaskFate::Kind::kRetry);
  CHECK(fate.crashes == 0);
}

TEST_CASE("after max_retries, a task whose workers kept crashing is POISONED") {
  const TaskFate fate = lost_task_fate(lost(2, 1, kSegv));
  CHECK(fate.kind == TaskFate::Kind::kPoisoned);
  CHECK(fate.crashes == 2);
  CHECK(lost_task_fate(lost(2, 1, kExit3)).kind == TaskFate::Kind::kPoisoned);
}

TEST_CASE("after max_retries, a task killed from outside even once is WORKER_CRASHED") {
  // Killed from outside, then crashed: 1 crash is not more than max_retries.
  CHECK(lost_task_fate(lost(2, 0, kSegv)).kind == TaskFate::Kind::kWorkerCrashed);
  // Crashed, then killed from outside.
  const TaskFate fate = lost_task_fate(lost(2, 1, kKilled));
  CHECK(fate.kind == TaskFate::Kind::kWorkerCrashed);
  CHECK(fate.crashes == 1);
  CHECK(lost_task_fate(lost(2, 0, kTerminated)).kind == TaskFate::Kind::kWorkerCrashed);
}

TEST_CASE("max_retries bounds the retries: 0 answers at once, 3 retries three times") {
  LostTask t = lost(1, 0, kSegv);
  t.max_retries = 0;
  CHECK(lost_task_fate(t).kind == TaskFate::Kind::kPoisoned);
  t.cause = kKilled;
  CHECK(lost_task_fate(t).kind == TaskFate::Kind::kWorkerCrashed);

  t.max_retries = 3;
  t.cause = kSegv;
  unsigned retries = 0;
  for (t.attempts = 1;; ++t.attempts) {
    const TaskFate fate = lost_task_fate(t);
    t.crashes = fate.crashes;
    if (fate.kind != TaskFate::Kind::kRetry) {
      CHECK(fate.kind == TaskFate::Kind::kPoisoned);
      break;
    }
    ++retries;
  }
  CHECK(retries == 3);
  CHECK(t.crashes == 4);
}

TEST_CASE("while the daemon stops a lost task is neither retried nor poisoned") {
  LostTask t = lost(1, 0, kSegv);
  t.stopping = true;
  CHECK(lost_task_fate(t).kind == TaskFate::Kind::kWorkerCrashed);
  t = lost(2, 5, kSegv);
  t.stopping = true;
  CHECK(lost_task_fate(t).kind == TaskFate::Kind::kWorkerCrashed);
  t.wanted = false;
  CHECK(lost_task_fate(t).kind == TaskFate::Kind::kForget);
}
