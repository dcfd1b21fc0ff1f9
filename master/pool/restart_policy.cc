// RestartPolicy: exponential respawn backoff with a healthy-minute reset.
#include "master/pool/restart_policy.h"

#include <algorithm>

namespace stickerd {

std::uint64_t RestartPolicy::on_death(std::uint64_t now_ms) {
  // A worker that lived a healthy minute died of something new, not of the
  // loop we are braking: start counting again.
  if (now_ms >= spawned_at_ms_ && now_ms - spawned_at_ms_ >= kHealthyMs) streak_ = 0;
  ++streak_;
  if (streak_ == 1) return 0;
  // 50, 100, 200, ... capped; the shift is bounded so it cannot overflow.
  const unsigned doublings = std::min(streak_ - 2, 16u);
  return std::min(kFirstDelayMs << doublings, kMaxDelayMs);
}

}  // namespace stickerd
