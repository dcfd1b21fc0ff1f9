// Lifecycle: the daemon's end. The first SIGTERM/SIGINT (or `stickerctl
// drain --exit`) drains: admission stops, accepted work has
// --drain-grace-ms to finish, and what is left then is answered
// SHUTTING_DOWN. A second signal ends the drain at once and exits 1. Once
// the workers have stopped, every handle closes and the loop runs out.
// (The control pause, `stickerctl drain` without --exit, is not this: see
// Intake::pause_intake.)
#pragma once

#include <uv.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "master/cluster/redis_link.h"
#include "master/config/config.h"
#include "master/ops/operations.h"
#include "master/ops/signals.h"
#include "master/pool/supervisor.h"
#include "master/requests/dispatcher.h"
#include "master/requests/run_state.h"
#include "master/requests/task_queue.h"
#include "master/service/client_connections.h"
#include "master/service/rolling_restart.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

struct LifecycleParts {
  uv_loop_t* loop;
  const Config& config;
  RunState& state;  // Lifecycle is the one writer
  TaskQueue& queue;
  Supervisor& supervisor;
  Operations& ops;
  Dispatcher& dispatcher;
  ClientConnections& connections;
  RollingRestart& rolling;
  Signals& signals;
  std::optional<RedisLink>& redis;  // cluster mode only
  // Just before the link closes: the registry leaves, the blocking reads close.
  std::function<void()> leave_cluster;
};

class Lifecycle {
 public:
  explicit Lifecycle(LifecycleParts parts) : p_(parts) {}
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  void start();  // prepares the drain's grace timer
  // Valid once the loop has returned: 0 after a clean drain.
  int exit_code() const { return exit_code_; }

  void on_signal(int signum);
  // Stops admission and exits once accepted work is done or the grace period
  // is over; `why` names the trigger in the log.
  void begin_shutdown(std::string_view why);
  // Called whenever work may have ended: stops the workers once a drain
  // has nothing left queued or running.
  void maybe_finish_drain();
  // The workers are gone: flushes every reply and lets every handle go.
  void workers_stopped();
  // No worker can ever start (every slot failed its configuration): gives up.
  void give_up(const std::string& reason);

 private:
  // The drain's grace period ran out (or a second signal came): answers
  // every queued and running request SHUTTING_DOWN and kills the workers.
  void abandon_remaining_work();

  LifecycleParts p_;
  int exit_code_ = 0;
  UvHandle<uv_timer_t> drain_timer_;  // the grace period of a SIGTERM drain
};

}  // namespace stickerd
