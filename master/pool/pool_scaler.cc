// PoolScaler: the grow/shrink policy (see pool_scaler.h).
#include "master/pool/pool_scaler.h"

#include <fmt/format.h>

namespace stickerd {

std::optional<ScaleDecision> PoolScaler::tick(const ScalerSample& s) {
  if (!enabled()) return std::nullopt;
  const std::uint64_t now = s.now_ms;
  if (s.queued > 0) {
    if (!queued_since_) queued_since_ = now;
  } else {
    queued_since_.reset();
  }
  if (s.queued == 0 && s.idle_workers > 0) {
    if (!idle_since_) idle_since_ = now;
  } else {
    idle_since_.reset();
  }
  if (last_change_ && now - *last_change_ < options_.cooldown_ms) return std::nullopt;

  // A pool outside the bounds (set by an operator, or at start) is brought in.
  if (s.workers < options_.min_workers || s.workers > options_.max_workers) {
    last_change_ = now;
    const unsigned target =
        s.workers < options_.min_workers ? options_.min_workers : options_.max_workers;
    return ScaleDecision{target, fmt::format("pool of {} is outside [{}, {}]", s.workers,
                                             options_.min_workers, options_.max_workers)};
  }
  if (queued_since_ && now - *queued_since_ >= options_.grow_after_ms &&
      s.workers < options_.max_workers) {
    last_change_ = now;
    queued_since_ = now;  // the next step needs its own evidence
    ++grows_;
    return ScaleDecision{s.workers + 1, fmt::format("{} tasks have waited for {} ms or more",
                                                    s.queued, options_.grow_after_ms)};
  }
  if (idle_since_ && now - *idle_since_ >= options_.shrink_after_ms &&
      s.workers > options_.min_workers) {
    last_change_ = now;
    idle_since_ = now;
    ++shrinks_;
    return ScaleDecision{s.workers - 1, fmt::format("{} workers idle for {} ms with nothing queued",
                                                    s.idle_workers, options_.shrink_after_ms)};
  }
  return std::nullopt;
}

}  // namespace stickerd
