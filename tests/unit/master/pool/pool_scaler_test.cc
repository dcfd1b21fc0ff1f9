// PoolScaler: growth under a lasting queue, shrinking after idle time, cooldown.
#include "master/pool/pool_scaler.h"

#include <doctest/doctest.h>

namespace stickerd {
namespace {

ScalerOptions options() {
  return {.min_workers = 1,
          .max_workers = 3,
          .grow_after_ms = 200,
          .shrink_after_ms = 1000,
          .cooldown_ms = 500};
}

}  // namespace

TEST_CASE("min equal to max switches scaling off") {
  PoolScaler scaler({.min_workers = 2, .max_workers = 2});
  CHECK_FALSE(scaler.enabled());
  CHECK_FALSE(scaler.tick({.now_ms = 0, .workers = 2, .idle_workers = 0, .queued = 50}));
  CHECK_FALSE(scaler.tick({.now_ms = 99'999, .workers = 2, .idle_workers = 0, .queued = 50}));
}

TEST_CASE("the pool grows by one once the queue has waited grow_after_ms, then cools down") {
  PoolScaler scaler(options());
  CHECK_FALSE(scaler.tick({.now_ms = 0, .workers = 1, .idle_workers = 0, .queued = 3}));
  CHECK_FALSE(scaler.tick({.now_ms = 199, .workers = 1, .idle_workers = 0, .queued = 3}));
  auto d = scaler.tick({.now_ms = 200, .workers = 1, .idle_workers = 0, .queued = 3});
  REQUIRE(d.has_value());
  CHECK(d->workers == 2);
  CHECK(scaler.grows() == 1);
  // Cooldown: nothing until 500 ms after the change, then another step.
  CHECK_FALSE(scaler.tick({.now_ms = 600, .workers = 2, .idle_workers = 0, .queued = 3}));
  d = scaler.tick({.now_ms = 700, .workers = 2, .idle_workers = 0, .queued = 3});
  REQUIRE(d.has_value());
  CHECK(d->workers == 3);
  // At the maximum it stays.
  CHECK_FALSE(scaler.tick({.now_ms = 5000, .workers = 3, .idle_workers = 0, .queued = 9}));
}

TEST_CASE("a queue that drains before grow_after_ms is a burst, not a reason to grow") {
  PoolScaler scaler(options());
  CHECK_FALSE(scaler.tick({.now_ms = 0, .workers = 1, .idle_workers = 0, .queued = 2}));
  CHECK_FALSE(scaler.tick({.now_ms = 150, .workers = 1, .idle_workers = 0, .queued = 0}));
  CHECK_FALSE(scaler.tick({.now_ms = 250, .workers = 1, .idle_workers = 0, .queued = 1}));
  CHECK_FALSE(scaler.tick({.now_ms = 400, .workers = 1, .idle_workers = 0, .queued = 1}));
  CHECK(scaler.tick({.now_ms = 450, .workers = 1, .idle_workers = 0, .queued = 1}).has_value());
}

TEST_CASE(
    "the pool shrinks by one after shrink_after_ms of idle workers and an empty queue, down to "
    "min") {
  PoolScaler scaler(options());
  CHECK_FALSE(scaler.tick({.now_ms = 0, .workers = 3, .idle_workers = 2, .queued = 0}));
  CHECK_FALSE(scaler.tick({.now_ms = 999, .workers = 3, .idle_workers = 2, .queued = 0}));
  auto d = scaler.tick({.now_ms = 1000, .workers = 3, .idle_workers = 2, .queued = 0});
  REQUIRE(d.has_value());
  CHECK(d->workers == 2);
  CHECK(scaler.shrinks() == 1);
  CHECK_FALSE(scaler.tick({.now_ms = 1500, .workers = 2, .idle_workers = 2, .queued = 0}));
  d = scaler.tick({.now_ms = 2000, .workers = 2, .idle_workers = 2, .queued = 0});
  REQUIRE(d.has_value());
  CHECK(d->workers == 1);
  CHECK_FALSE(scaler.tick({.now_ms = 9000, .workers = 1, .idle_workers = 1, .queued = 0}));
}

TEST_CASE("a busy moment resets the idle clock") {
  PoolScaler scaler(options());
  scaler.tick({.now_ms = 0, .workers = 2, .idle_workers = 1, .queued = 0});
  scaler.tick({.now_ms = 900, .workers = 2, .idle_workers = 0, .queued = 0});
  CHECK_FALSE(scaler.tick({.now_ms = 1100, .workers = 2, .idle_workers = 1, .queued = 0}));
  CHECK(scaler.tick({.now_ms = 2100, .workers = 2, .idle_workers = 1, .queued = 0}).has_value());
}

}  // namespace stickerd
