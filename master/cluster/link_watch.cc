// LinkWatch: one question outstanding at a time, and its deadline.
#include "master/cluster/link_watch.h"

namespace stickerd {

LinkWatch::Action LinkWatch::tick(std::uint64_t now_ms) const {
  if (asked_at_ms_) return now_ms - *asked_at_ms_ >= kLostAfterMs ? Action::kLost : Action::kWait;
  return now_ms - answered_at_ms_ >= kPingEveryMs ? Action::kPing : Action::kWait;
}

}  // namespace stickerd
