// PoolSizing: dynamic pool sizing. A timer samples the queue and the pool
// every 100 ms; PoolScaler decides; Supervisor::resize() applies (it grows
// at once and shrinks by retiring the highest slot after its current task).
// Each decision is logged and counted.
#pragma once

#include <uv.h>

#include "master/config/config.h"
#include "master/ops/metrics.h"
#include "master/pool/pool_scaler.h"
#include "master/pool/supervisor.h"
#include "master/requests/dispatcher.h"
#include "master/requests/run_state.h"
#include "master/requests/task_queue.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

class PoolSizing {
 public:
  PoolSizing(uv_loop_t* loop, const Config& config, const RunState& state, Supervisor& supervisor,
             TaskQueue& queue, Metrics& metrics, Dispatcher& dispatcher);
  PoolSizing(const PoolSizing&) = delete;
  PoolSizing& operator=(const PoolSizing&) = delete;

  // Starts the timer, when --min-workers < --max-workers.
  void start();
  const PoolScaler& scaler() const { return scaler_; }

 private:
  void tick();

  uv_loop_t* loop_;
  const RunState& state_;
  Supervisor& supervisor_;
  TaskQueue& queue_;
  Metrics& metrics_;
  Dispatcher& dispatcher_;
  PoolScaler scaler_;
  UvHandle<uv_timer_t> timer_;
};

}  // namespace stickerd
