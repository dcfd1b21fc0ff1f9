// Unit tests for master/requests/deadlines: when a task must be answered and
// when its worker counts as hung, from memory.
#include <doctest/doctest.h>

#include "master/requests/deadlines.h"

using namespace stickerd;

TEST_CASE("a worker is killed as hung at the daemon's deadline, never before the client's") {
  CHECK(hang_at(1'000, 10'000) == 10'000);   // a short client deadline decides nothing
  CHECK(hang_at(9'000, 10'000) == 10'000);   // nor does a longer one under the daemon's
  CHECK(hang_at(10'000, 10'000) == 10'000);  // the client asked for the daemon's
  CHECK(hang_at(12'000, 10'000) == 12'000);  // never before the client's
}

TEST_CASE("a new task's deadline counts from now, queue time included") {
  Task task;
  task.spec.deadline_ms = 500;
  set_deadlines(task, 1'000, 10'000);
  CHECK(task.deadline_at_ms == 1'500);
  CHECK(task.hang_at_ms == 11'000);
  task.spec.deadline_ms = 10'000;
  set_deadlines(task, 1'000, 10'000);
  CHECK(task.deadline_at_ms == 11'000);
  CHECK(task.hang_at_ms == 11'000);
}

TEST_CASE(
    "a task is past its deadline at that millisecond and after; one without a deadline never is") {
  Task task;
  CHECK_FALSE(past_deadline(task, 0));
  CHECK_FALSE(past_deadline(task, ~std::uint64_t{0}));
  task.deadline_at_ms = 100;
  CHECK_FALSE(past_deadline(task, 99));
  CHECK(past_deadline(task, 100));
  CHECK(past_deadline(task, 101));
}
