// Operations: the daemon's face to its operators and to systemd. Owns the
// metrics (and their HTTP endpoint), the sd_notify client, the heartbeat
// timer and the SIGHUP handler, so Server only reports events to it.
//
// SIGHUP is systemd's ExecReload: RELOADING=1 goes out at once, READY=1 when
// the reload is done. A reload that fails is done at once (the old
// configuration stays); one that succeeds is done when the Server says so
// (reload_finished(): every worker replaced, so each runs the new styles).
//
// The heartbeat runs on the loop every second (or at half the watchdog
// interval, if that is shorter). Each turn samples the pool into the gauges,
// refreshes STATUS= and pings the watchdog: a loop that stops turning stops
// pinging, which is exactly what the watchdog is for.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/error.h"
#include "master/ops/metrics.h"
#include "master/ops/sd_notify.h"
#include "master/ops/task_clock.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

// What the heartbeat reads from the Server each turn.
struct PoolSnapshot {
  PoolSample pool;
  ExitCounts exits;  // workers replaced so far, by reason
  std::uint64_t tasks_completed = 0;
  std::vector<std::pair<unsigned, int>> worker_pids;  // slot, pid of live workers
  bool cache_warming = false;  // the disk cache's start preload still runs: not READY yet
};

// The STATUS= text systemctl status shows. Pure.
std::string status_text(const PoolSnapshot& s);
// Whether the first READY=1 may go out: every worker READY and the disk
// cache's start preload done, so a restarted daemon answers its regulars
// from memory from its first request. Pure.
bool ready_to_announce(const PoolSnapshot& s);

class Operations {
 public:
  using SnapshotFn = std::function<PoolSnapshot()>;
  // Reloads the configuration that can change live; an error keeps the old
  // one. On success the Server calls reload_finished() when it is complete.
  using ReloadFn = std::function<std::optional<Error>()>;

  Operations(uv_loop_t* loop, SnapshotFn snapshot, ReloadFn reload);
  Operations(const Operations&) = delete;
  Operations& operator=(const Operations&) = delete;

  // Starts the heartbeat and SIGHUP handling, and the metrics endpoint when
  // `metrics_address` is set. The notify client reads its environment here.
  std::optional<Error> start(const std::optional<std::string>& metrics_address);

  Metrics& metrics() { return metrics_; }

  // The request path's events, for the task-time and queue-wait metrics.
  void task_queued(std::uint64_t task_id);
  void task_dispatched(std::uint64_t task_id);
  void task_finished(std::uint64_t task_id, bool ok, const v1::Sticker* sticker);

  // The pool changed (a worker became READY or idle): the gauges follow at
  // once, and READY=1 goes to systemd when every slot is READY the first time.
  void pool_changed();
  // SIGTERM: systemd learns the daemon is draining.
  void stopping();
  // The reload a SIGHUP started is complete: READY=1 (may come before
  // reload_ returns, when there is nothing to restart).
  void reload_finished();

 private:
  void tick();
  void on_hangup();
  void sample(const PoolSnapshot& s);

  uv_loop_t* loop_;
  SnapshotFn snapshot_;
  ReloadFn reload_;
  Metrics metrics_;
  SdNotifier notifier_;
  TaskClock clock_;
  UvHandle<uv_timer_t> heartbeat_;
  UvHandle<uv_signal_t> hangup_;
  bool ready_sent_ = false;
  bool stopping_ = false;
  bool reloading_ = false;  // RELOADING=1 sent, READY=1 not yet
  PoolSnapshot seen_;       // the counters at the last sample, for restart deltas
  std::string last_status_;
  std::uint64_t last_status_ms_ = 0;
};

}  // namespace stickerd
