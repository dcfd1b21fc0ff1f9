// ConnectionLimits: total and per-uid connection counts, and the idle rule.
#include "master/ingress/connection_limits.h"

#include <fmt/format.h>

namespace stickerd {

ConnectionLimits::Verdict ConnectionLimits::admit(std::optional<uid_t> uid) {
  if (total_ >= settings_.max_total) return Verdict::kTotalFull;
  if (uid && settings_.max_per_uid != 0 && of_uid(*uid) >= settings_.max_per_uid) {
    return Verdict::kUidFull;
  }
  ++total_;
  if (uid) ++by_uid_[*uid];
  return Verdict::kAdmit;
}

void ConnectionLimits::release(std::optional<uid_t> uid) {
  if (total_ > 0) --total_;
  if (!uid) return;
  auto it = by_uid_.find(*uid);
  if (it == by_uid_.end()) return;
  if (--it->second == 0) by_uid_.erase(it);  // the map holds only uids with connections
}

std::size_t ConnectionLimits::of_uid(uid_t uid) const {
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? 0 : it->second;
}

std::string refusal_message(ConnectionLimits::Verdict verdict,
                            const ConnectionLimitSettings& limits, std::optional<uid_t> uid) {
  switch (verdict) {
    case ConnectionLimits::Verdict::kTotalFull:
      return fmt::format(
          "too many connections: the daemon's limit of {} is reached "
          "(--max-connections); retry later",
          limits.max_total);
    case ConnectionLimits::Verdict::kUidFull:
      return fmt::format(
          "too many connections from uid {}: its limit of {} is reached "
          "(--max-connections-per-uid); close idle connections or share one",
          uid ? static_cast<long long>(*uid) : -1LL, limits.max_per_uid);
    case ConnectionLimits::Verdict::kAdmit:
      break;
  }
  return "admitted";
}

bool idle_expired(std::uint64_t last_activity_ms, std::uint64_t now_ms, std::uint64_t timeout_ms,
                  bool has_in_flight) {
  if (timeout_ms == 0 || has_in_flight) return false;
  return now_ms >= last_activity_ms && now_ms - last_activity_ms >= timeout_ms;
}

}  // namespace stickerd
