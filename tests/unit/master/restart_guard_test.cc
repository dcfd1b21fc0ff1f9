// Unit tests for master/restart_guard: quick repeated deaths delay the respawn.
#include <doctest/doctest.h>

#include "master/restart_guard.h"

using namespace stickerd;

TEST_CASE("a slot that dies now and then is respawned at once") {
  RestartGuard g;
  CHECK(g.on_death(0) == 0);
  CHECK(g.on_death(20'000) == 0);
  CHECK(g.on_death(40'000) == 0);
}

TEST_CASE("a slot that dies three times within the window waits before respawning") {
  RestartGuard g;
  CHECK(g.on_death(1'000) == 0);
  CHECK(g.on_death(2'000) == 0);
  CHECK(g.on_death(3'000) == RestartGuard::kDelayMs);
  // Once the old deaths leave the window, respawns are immediate again.
  CHECK(g.on_death(3'000 + RestartGuard::kWindowMs + 1) == 0);
}
