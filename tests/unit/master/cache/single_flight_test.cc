// SingleFlight: waiters share one task and all come back when it lands.
#include "master/cache/single_flight.h"

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("identical requests join one flight and every waiter comes back once, in order") {
  SingleFlight flights;
  CHECK_FALSE(flights.active("k"));
  CHECK_FALSE(flights.join("k", {7, 0}));
  flights.start("k", 100, SingleFlight::Waiter{1, 0});
  CHECK(flights.active("k"));
  CHECK(flights.join("k", {2, 0}));
  CHECK(flights.join("k", {3, 4}));
  REQUIRE(flights.waiters(100) != nullptr);
  CHECK(flights.waiters(100)->size() == 3);
  auto landed = flights.finish(100);
  REQUIRE(landed.has_value());
  CHECK(landed->key == "k");
  CHECK(landed->waiters == std::vector<SingleFlight::Waiter>{{1, 0}, {2, 0}, {3, 4}});
  CHECK_FALSE(flights.active("k"));
  CHECK_FALSE(flights.finish(100).has_value());
  CHECK(flights.size() == 0);
}

TEST_CASE("a flight without waiters (a warm render) still lands with its key") {
  SingleFlight flights;
  flights.start("w", 5, std::nullopt);
  CHECK(flights.join("w", {9, 0}));  // an interactive request may join it
  auto landed = flights.finish(5);
  REQUIRE(landed.has_value());
  CHECK(landed->waiters.size() == 1);
}

TEST_CASE("a flight's key names its leading task") {
  SingleFlight flights;
  CHECK_FALSE(flights.task_of("k").has_value());
  flights.start("k", 42, SingleFlight::Waiter{1, 0});
  CHECK(flights.task_of("k") == 42u);
  flights.finish(42);
  CHECK_FALSE(flights.task_of("k").has_value());
}

TEST_CASE("a task that leads no flight finishes nothing") {
  SingleFlight flights;
  flights.start("a", 1, SingleFlight::Waiter{1, 0});
  CHECK(flights.waiters(2) == nullptr);
  CHECK_FALSE(flights.finish(2).has_value());
  CHECK(flights.active("a"));
}

}  // namespace stickerd
