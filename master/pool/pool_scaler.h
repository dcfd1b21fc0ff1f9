// PoolScaler: decides when the worker pool grows or shrinks between a minimum
// and a maximum size. It only decides; the server applies a decision with
// Supervisor::resize() and logs and counts it.
//
// Policy (measured reasons in bench/README.md):
//  * Grow by one when tasks have been waiting in the queue continuously for
//    `grow_after_ms`: a queue that drains by itself within that time is a
//    burst the current pool absorbs, and a new worker costs a warm-up
//    (spawn -> READY) before it helps.
//  * Shrink by one when at least one worker has been idle, with nothing
//    queued, continuously for `shrink_after_ms`.
//  * After any change, wait `cooldown_ms` before the next, so the new
//    worker's warm-up is not read as a still-growing queue.
//  * min == max switches scaling off: tick() never decides anything.
// Pure: the caller passes the time (an injected clock); unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace stickerd {

struct ScalerOptions {
  unsigned min_workers = 1;
  unsigned max_workers = 1;
  std::uint64_t grow_after_ms = 250;
  std::uint64_t shrink_after_ms = 30'000;
  std::uint64_t cooldown_ms = 1'000;
};

struct ScalerSample {
  std::uint64_t now_ms = 0;
  unsigned workers = 0;       // configured slots now
  unsigned idle_workers = 0;  // READY with no task
  std::size_t queued = 0;     // tasks waiting for a worker
};

struct ScaleDecision {
  unsigned workers = 0;  // the new pool size
  std::string reason;    // for the log line
};

class PoolScaler {
 public:
  explicit PoolScaler(ScalerOptions options) : options_(options) {}

  bool enabled() const { return options_.max_workers > options_.min_workers; }
  std::optional<ScaleDecision> tick(const ScalerSample& sample);

  std::uint64_t grows() const { return grows_; }
  std::uint64_t shrinks() const { return shrinks_; }
  const ScalerOptions& options() const { return options_; }

 private:
  ScalerOptions options_;
  std::optional<std::uint64_t> queued_since_;  // queue non-empty since
  std::optional<std::uint64_t> idle_since_;    // idle worker and empty queue since
  std::optional<std::uint64_t> last_change_;
  std::uint64_t grows_ = 0;
  std::uint64_t shrinks_ = 0;
};

}  // namespace stickerd
