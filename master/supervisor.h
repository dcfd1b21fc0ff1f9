// Supervisor: keeps one stickerd-worker running in each of N slots and is
// the only code that knows which task each worker holds.
//
// Guarantees:
//  * A task handed to a worker (assign) comes back exactly once: as
//    on_task_result when the worker answers, or as on_task_lost when the
//    worker dies first (any signal, any exit code). The caller decides the
//    task's fate; the supervisor never drops or replays one by itself.
//  * A dead worker is replaced in the same slot, whether it died before or
//    after READY. RestartGuard delays the respawn of a slot that keeps dying.
//  * A worker that exits with 78 (EX_CONFIG, fatal configuration) is not
//    respawned: its slot is disabled and the error logged. When every slot
//    is disabled, on_no_workers_possible tells the caller to give up.
//  * Only a worker that said READY and holds no task is given one.
//  * After stop(), nothing respawns; on_workers_stopped fires once every
//    worker has exited.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "master/restart_guard.h"
#include "master/task.h"
#include "master/uv_handle.h"
#include "master/worker_link.h"
#include "worker.pb.h"

namespace stickerd {

// The worker exit code that means "my configuration is broken; restarting
// me will not help" (sysexits.h EX_CONFIG).
inline constexpr std::int64_t kWorkerExitFatalConfig = 78;

class SupervisorEvents {
 public:
  virtual void on_worker_idle() = 0;  // a READY worker can take a task
  virtual void on_task_result(Task task, v1::TaskResult result) = 0;
  virtual void on_task_lost(Task task) = 0;  // its worker died holding it
  virtual void on_workers_stopped() = 0;
  virtual void on_no_workers_possible(const std::string& reason) = 0;

 protected:
  ~SupervisorEvents() = default;
};

struct SupervisorOptions {
  std::string worker_binary;
  std::string styles_dir;
  unsigned workers = 1;
  std::size_t max_frame_bytes = 0;
};

struct WorkerCounts {
  unsigned total = 0;  // configured slots
  unsigned ready = 0;  // said READY and alive: idle + busy
  unsigned busy = 0;
  unsigned idle = 0;
};

class Supervisor : private WorkerLinkEvents {
 public:
  Supervisor(uv_loop_t* loop, SupervisorOptions options, SupervisorEvents& events);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor();

  void start();
  bool has_idle_worker() const;
  // Hands `task` to an idle READY worker; call only when has_idle_worker().
  void assign(Task task);
  // Asks every worker to exit after its current task; no more respawns.
  void stop();
  // As stop(), but kills the workers at once.
  void kill_all();

  WorkerCounts counts() const;
  std::uint64_t restarts() const { return restarts_; }

 private:
  enum class SlotState {
    kStarting,  // spawned, warming up, not READY yet
    kIdle,      // READY, no task
    kBusy,      // READY, holds `task`
    kWaiting,   // dead; respawn timer running
    kDisabled,  // exited 78: never respawned
    kStopped,   // exited after stop()
  };

  struct Slot {
    unsigned index = 0;
    SlotState state = SlotState::kStopped;
    std::unique_ptr<WorkerLink> link;
    std::optional<Task> task;
    RestartGuard guard;
    UvHandle<uv_timer_t> respawn_timer;
    Supervisor* owner = nullptr;
  };

  void on_worker_message(WorkerLink& link, v1::FromWorker message) override;
  void on_worker_exit(WorkerLink& link, std::int64_t exit_status, int term_signal) override;

  void spawn(Slot& slot);
  void schedule_respawn(Slot& slot, std::uint64_t delay_ms);
  void announce_ready_once();
  // Last statement of its callers: it may report on_workers_stopped.
  void check_all_stopped();
  void start_stop_timer();

  uv_loop_t* loop_;
  SupervisorOptions options_;
  SupervisorEvents& events_;
  std::vector<std::unique_ptr<Slot>> slots_;
  UvHandle<uv_timer_t> stop_timer_;  // SIGKILLs workers that ignore a shutdown
  std::uint64_t restarts_ = 0;
  bool stopping_ = false;
  bool stopped_reported_ = false;
  bool ready_announced_ = false;
};

}  // namespace stickerd
