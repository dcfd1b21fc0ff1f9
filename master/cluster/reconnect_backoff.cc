// ReconnectBackoff: doubling up to the cap.
#include "master/cluster/reconnect_backoff.h"

#include <algorithm>

namespace stickerd {

std::uint64_t ReconnectBackoff::next_delay_ms() {
  const std::uint64_t delay = next_ms_;
  next_ms_ = std::min(next_ms_ * 2, kMaxDelayMs);
  return delay;
}

}  // namespace stickerd
