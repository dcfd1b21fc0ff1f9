// FrameBudget: the sum of what every connection's unfinished frame holds.
#include "master/ingress/frame_budget.h"

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("holders grow within the limit, a growth that does not fit is refused unchanged") {
  FrameBudget budget(100);
  CHECK(budget.resize(0, 60));
  CHECK(budget.resize(0, 40));
  CHECK(budget.used() == 100);
  CHECK_FALSE(budget.resize(0, 1));
  CHECK_FALSE(budget.resize(40, 41));
  CHECK(budget.used() == 100);
  // Shrinking always fits and frees room for others.
  CHECK(budget.resize(60, 10));
  CHECK(budget.resize(0, 50));
  CHECK(budget.used() == 100);
  CHECK(budget.resize(40, 0));
  CHECK(budget.resize(50, 0));
  CHECK(budget.resize(10, 0));
  CHECK(budget.used() == 0);
}

TEST_CASE("a lowered limit refuses growth until holders shrink below it") {
  FrameBudget budget(100);
  REQUIRE(budget.resize(0, 80));
  budget.set_limit(50);
  CHECK_FALSE(budget.resize(0, 1));
  CHECK(budget.resize(80, 70));  // shrinking is always allowed
  CHECK(budget.resize(70, 0));
  CHECK(budget.resize(0, 50));
  CHECK_FALSE(budget.resize(0, 1));
}

}  // namespace stickerd
