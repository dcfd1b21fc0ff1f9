// Server: dynamic pool sizing. A timer samples the queue and the pool every
// 100 ms; PoolScaler decides; Supervisor::resize() applies (it grows at once
// and shrinks by retiring the highest slot after its current task). Each
// decision is logged and counted, and every worker's warm-up (spawn to
// READY), the delay a grown pool waits out before it helps, is measured.
#include "common/log.h"
#include "master/server.h"

namespace stickerd {
namespace {

constexpr std::uint64_t kScaleTickMs = 100;

}  // namespace

void Server::start_scaler() {
  if (!scaler_.enabled()) return;
  scale_timer_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  scale_timer_.set_owner(this);
  uv_timer_start(
      scale_timer_.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<Server*>(t->data)) self->scale_tick();
      },
      kScaleTickMs, kScaleTickMs);
  uv_unref(scale_timer_.base());  // it must not keep the loop alive on its own
  log::info("dynamic pool: {} to {} workers (grow after {} ms of queueing, shrink after {} ms idle)",
            scaler_.options().min_workers, scaler_.options().max_workers, scaler_.options().grow_after_ms,
            scaler_.options().shrink_after_ms);
}

void Server::scale_tick() {
  if (state_ != State::kRunning) return;
  const WorkerCounts w = supervisor_.counts();
  auto decision = scaler_.tick(ScalerSample{uv_now(loop_), w.total, w.idle, queue_.size()});
  if (!decision) return;
  log::info("pool: {} -> {} workers: {}", w.total, decision->workers, decision->reason);
  ops_.metrics().pool_scaled(decision->workers > w.total);
  supervisor_.resize(decision->workers);
  dispatch();  // a grown pool may take queued work as soon as its worker is READY
}

void Server::on_worker_started(double startup_seconds) {
  ops_.metrics().worker_started(startup_seconds);
}

}  // namespace stickerd
