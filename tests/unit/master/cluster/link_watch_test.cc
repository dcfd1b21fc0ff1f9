// LinkWatch: a heartbeat after a second of quiet, and a link lost when a
// question (the handshake or a PING) goes unanswered for three.
#include "master/cluster/link_watch.h"

#include <doctest/doctest.h>

namespace stickerd {

using Action = LinkWatch::Action;

TEST_CASE("an attempt that is not answered in time loses the link") {
  LinkWatch watch;
  watch.asked(10'000);
  CHECK(watch.tick(10'000) == Action::kWait);
  CHECK(watch.tick(10'000 + LinkWatch::kLostAfterMs - 1) == Action::kWait);
  CHECK(watch.tick(10'000 + LinkWatch::kLostAfterMs) == Action::kLost);
}

TEST_CASE("an answered link pings after a second of quiet, and waits for the answer") {
  LinkWatch watch;
  watch.asked(0);
  watch.answered(50);
  CHECK(watch.tick(50 + LinkWatch::kPingEveryMs - 1) == Action::kWait);
  CHECK(watch.tick(50 + LinkWatch::kPingEveryMs) == Action::kPing);
  watch.asked(1'050);
  // The PING is outstanding: no second one, however long it takes.
  CHECK(watch.tick(1'050 + LinkWatch::kPingEveryMs) == Action::kWait);
  CHECK(watch.tick(1'050 + LinkWatch::kLostAfterMs) == Action::kLost);
  watch.answered(1'060);
  CHECK(watch.tick(1'060 + LinkWatch::kLostAfterMs) == Action::kPing);
}

}  // namespace stickerd
