// ReconnectBackoff: how long the Redis link waits before its next attempt.
//
// The first retry comes soon (a Redis restart takes a moment), then the
// wait doubles up to a cap, so a Redis that stays away costs one attempt
// every few seconds per node rather than a storm; a link that connects
// starts over. Pure.
#pragma once

#include <cstdint>

namespace stickerd {

class ReconnectBackoff {
 public:
  static constexpr std::uint64_t kFirstDelayMs = 100;
  static constexpr std::uint64_t kMaxDelayMs = 5'000;

  // The wait before the next attempt; each call doubles the one after it.
  std::uint64_t next_delay_ms();
  // The link is up: the next failure retries after kFirstDelayMs again.
  void reset() { next_ms_ = kFirstDelayMs; }

 private:
  std::uint64_t next_ms_ = kFirstDelayMs;
};

}  // namespace stickerd
