// Unit tests for master/restart_policy: immediate first respawn, exponential
// backoff for a slot that keeps dying, reset after a healthy minute.
#include <doctest/doctest.h>

#include "master/pool/restart_policy.h"

using namespace stickerd;

TEST_CASE("the first death of a slot is replaced at once") {
  RestartPolicy p;
  p.on_spawn(0);
  CHECK(p.on_death(10) == 0);
  CHECK_FALSE(p.backing_off());
}

TEST_CASE("a slot that keeps dying waits 50 ms doubling up to 5 s") {
  RestartPolicy p;
  std::uint64_t now = 1'000;
  p.on_spawn(now);
  CHECK(p.on_death(now += 10) == 0);
  const std::uint64_t expected[] = {50, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
  for (std::uint64_t e : expected) {
    p.on_spawn(now += 1);
    CHECK(p.on_death(now += 10) == e);
    CHECK(p.backing_off());
  }
}

TEST_CASE("a healthy minute clears the streak") {
  RestartPolicy p;
  std::uint64_t now = 0;
  for (int i = 0; i < 5; ++i) {
    p.on_spawn(now);
    p.on_death(now += 100);
  }
  CHECK(p.streak() == 5);
  p.on_spawn(now);
  now += RestartPolicy::kHealthyMs;
  CHECK(p.on_death(now) == 0);
  CHECK(p.streak() == 1);
  // ... and the next quick death backs off from the start again.
  p.on_spawn(now);
  CHECK(p.on_death(now + 5) == RestartPolicy::kFirstDelayMs);
}

TEST_CASE("a long streak never overflows the delay") {
  RestartPolicy p;
  for (std::uint64_t i = 0; i < 200; ++i) {
    p.on_spawn(i * 10);
    CHECK(p.on_death(i * 10 + 1) <= RestartPolicy::kMaxDelayMs);
  }
}
