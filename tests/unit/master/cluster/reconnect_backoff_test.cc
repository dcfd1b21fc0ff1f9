// ReconnectBackoff: soon at first, doubling to a cap, and from the start again
// once the link is up.
#include "master/cluster/reconnect_backoff.h"

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("the Redis link's retries double from 100 ms up to 5 s") {
  ReconnectBackoff backoff;
  CHECK(backoff.next_delay_ms() == 100);
  CHECK(backoff.next_delay_ms() == 200);
  CHECK(backoff.next_delay_ms() == 400);
  for (int i = 0; i < 20; ++i) backoff.next_delay_ms();
  CHECK(backoff.next_delay_ms() == ReconnectBackoff::kMaxDelayMs);
}

TEST_CASE("a link that connected retries soon again after its next loss") {
  ReconnectBackoff backoff;
  for (int i = 0; i < 10; ++i) backoff.next_delay_ms();
  backoff.reset();
  CHECK(backoff.next_delay_ms() == ReconnectBackoff::kFirstDelayMs);
}

}  // namespace stickerd
