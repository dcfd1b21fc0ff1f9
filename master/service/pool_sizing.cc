#include "master/service/pool_sizing.h"

#include "common/log.h"
#include "master/uv/repeating_timer.h"

namespace stickerd {
namespace {

constexpr std::uint64_t kScaleTickMs = 100;

}  // namespace

PoolSizing::PoolSizing(uv_loop_t* loop, const Config& config, const RunState& state,
                       Supervisor& supervisor, TaskQueue& queue, Metrics& metrics,
                       Dispatcher& dispatcher)
    : loop_(loop),
      state_(state),
      supervisor_(supervisor),
      queue_(queue),
      metrics_(metrics),
      dispatcher_(dispatcher),
      scaler_(
          ScalerOptions{config.min_workers, config.max_workers, 250, config.scale_idle_ms, 1000}) {}

void PoolSizing::start() {
  if (!scaler_.enabled()) return;
  start_repeating<PoolSizing, &PoolSizing::tick>(timer_, loop_, this, kScaleTickMs);
  log::info(
      "dynamic pool: {} to {} workers (grow after {} ms of queueing, shrink after {} ms idle)",
      scaler_.options().min_workers, scaler_.options().max_workers, scaler_.options().grow_after_ms,
      scaler_.options().shrink_after_ms);
}

void PoolSizing::tick() {
  if (state_ != RunState::kRunning) return;
  const WorkerCounts w = supervisor_.counts();
  auto decision = scaler_.tick(ScalerSample{uv_now(loop_), w.total, w.idle, queue_.size()});
  if (!decision) return;
  log::info("pool: {} -> {} workers: {}", w.total, decision->workers, decision->reason);
  metrics_.pool_scaled(decision->workers > w.total);
  supervisor_.resize(decision->workers);
  dispatcher_.dispatch();  // a grown pool may take queued work as soon as its worker is READY
}

}  // namespace stickerd
