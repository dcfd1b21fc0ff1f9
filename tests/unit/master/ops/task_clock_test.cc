#include "master/ops/task_clock.h"

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("task clock measures queue wait and work time separately") {
  TaskClock clock;
  clock.queued(1, 1'000'000'000);
  CHECK(clock.dispatched(1, 1'500'000'000) == doctest::Approx(0.5));
  CHECK(clock.finished(1, 3'500'000'000) == doctest::Approx(2.0));
  CHECK(clock.size() == 0);
  CHECK_FALSE(clock.finished(1, 4'000'000'000).has_value());
}

TEST_CASE("task clock forgets tasks that never finish") {
  TaskClock clock;
  clock.queued(1, 0);
  clock.queued(2, 900);
  clock.prune(1000, 500);
  CHECK(clock.size() == 1);
  CHECK_FALSE(clock.dispatched(1, 1000).has_value());
  CHECK(clock.dispatched(2, 1000).has_value());
}

}  // namespace stickerd
