// Operations: heartbeat (gauges, STATUS=, WATCHDOG=1), READY/STOPPING/
// RELOADING notifications and the SIGHUP reload.
#include "master/ops/operations.h"

#include <csignal>

#include <fmt/format.h>

#include "common/log.h"
#include "common/process_memory.h"

namespace stickerd {
namespace {

constexpr std::uint64_t kHeartbeatMs = 1000;
// STATUS= is resent at least this often even when nothing changed.
constexpr std::uint64_t kStatusRefreshMs = 5000;
// A task not finished after this long was cancelled or dropped: forget it.
constexpr std::uint64_t kTaskClockMaxAgeNs = 600ull * 1'000'000'000;

}  // namespace

std::string status_text(const PoolSnapshot& s) {
  return fmt::format("{}/{} workers ready, {} busy, {} queued, {} tasks done, {} restarts",
                     s.pool.ready_workers, s.pool.total_workers, s.pool.busy_workers,
                     s.pool.queue_size, s.tasks_completed, s.exits.restarts());
}

Operations::Operations(uv_loop_t* loop, SnapshotFn snapshot, ReloadFn reload)
    : loop_(loop), snapshot_(std::move(snapshot)), reload_(std::move(reload)) {}

std::optional<Error> Operations::start(const std::optional<std::string>& metrics_address) {
  notifier_ = SdNotifier::from_environment();
  if (metrics_address) {
    if (auto e = metrics_.expose(*metrics_address)) return e;
    log::info("metrics on http://{}/metrics (port {})", *metrics_address, metrics_.port());
  }
  std::uint64_t period = kHeartbeatMs;
  if (auto usec = notifier_.watchdog_usec()) {
    period = std::max<std::uint64_t>(1, std::min(period, *usec / 2000));
    log::info("systemd watchdog: pinging every {} ms", period);
  }
  heartbeat_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  heartbeat_.set_owner(this);
  uv_timer_start(
      heartbeat_.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<Operations*>(t->data)) self->tick();
      },
      period, period);
  // Neither handle may keep the loop alive once everything else has stopped.
  uv_unref(heartbeat_.base());
  hangup_.init([&](uv_signal_t* s) { return uv_signal_init(loop_, s); });
  hangup_.set_owner(this);
  uv_signal_start(
      hangup_.get(),
      [](uv_signal_t* s, int) {
        if (auto* self = static_cast<Operations*>(s->data)) self->on_hangup();
      },
      SIGHUP);
  uv_unref(hangup_.base());
  return std::nullopt;
}

void Operations::task_queued(std::uint64_t task_id) { clock_.queued(task_id, uv_hrtime()); }

void Operations::task_dispatched(std::uint64_t task_id) {
  if (auto wait = clock_.dispatched(task_id, uv_hrtime())) metrics_.queue_wait(*wait);
}

void Operations::task_finished(std::uint64_t task_id, bool ok, const v1::Sticker* sticker) {
  const auto seconds = clock_.finished(task_id, uv_hrtime());
  double fallback = sticker != nullptr ? sticker->render_us() / 1e6 : 0.0;
  metrics_.task_finished(ok, seconds.value_or(fallback), sticker);
}

bool ready_to_announce(const PoolSnapshot& s) {
  return !s.cache_warming && s.pool.total_workers > 0 &&
         s.pool.ready_workers >= s.pool.total_workers;
}

void Operations::sample(const PoolSnapshot& s) {
  metrics_.sample(s.pool);
  // The supervisor's counts only grow: what is new since the last sample.
  for (ExitReason reason : kRespawnReasons) {
    const std::uint64_t now = s.exits.of(reason);
    const std::uint64_t before = seen_.exits.of(reason);
    if (now > before) metrics_.workers_replaced(reason, now - before);
  }
  seen_.exits = s.exits;
}

void Operations::pool_changed() {
  const PoolSnapshot s = snapshot_();
  sample(s);
  if (!ready_sent_ && !stopping_ && ready_to_announce(s)) {
    ready_sent_ = true;
    last_status_ = status_text(s);
    last_status_ms_ = uv_now(loop_);
    notifier_.notify("READY=1\nSTATUS=" + last_status_);
    log::info("ready: {}", last_status_);
  }
}

void Operations::tick() {
  const PoolSnapshot s = snapshot_();
  sample(s);
  for (const auto& [slot, pid] : s.worker_pids)
    metrics_.worker_rss(slot, static_cast<double>(resident_bytes(pid).value_or(0)));
  clock_.prune(uv_hrtime(), kTaskClockMaxAgeNs);
  if (notifier_.watchdog_usec()) notifier_.notify("WATCHDOG=1");
  std::string status = status_text(s);
  if (stopping_) status = "draining: " + status;
  const std::uint64_t now = uv_now(loop_);
  if (status != last_status_ || now - last_status_ms_ >= kStatusRefreshMs) {
    notifier_.notify("STATUS=" + status);
    last_status_ = std::move(status);
    last_status_ms_ = now;
  }
  if (!ready_sent_) pool_changed();
}

void Operations::stopping() {
  if (stopping_) return;
  stopping_ = true;
  notifier_.notify("STOPPING=1\nSTATUS=draining");
}

void Operations::on_hangup() {
  if (stopping_) return;
  notifier_.notify(reloading_message(uv_hrtime() / 1000));
  log::info(
      "SIGHUP: reloading the configuration and the styles, then replacing the workers one "
      "at a time");
  reloading_ = true;
  if (auto e = reload_()) {
    log::error("reload failed, keeping the running configuration and workers: {}", e->message);
    reload_finished();
  }
}

void Operations::reload_finished() {
  if (!reloading_) return;
  reloading_ = false;
  // Before the first READY=1 there is nothing to confirm: pool_changed()
  // sends it when the workers are up. A drain has said STOPPING=1 instead.
  if (!ready_sent_ || stopping_) return;
  const PoolSnapshot s = snapshot_();
  last_status_ = status_text(s);
  last_status_ms_ = uv_now(loop_);
  notifier_.notify("READY=1\nSTATUS=" + last_status_);
}

}  // namespace stickerd
