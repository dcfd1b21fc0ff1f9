// Supervisor: keeps one stickerd-worker running in each of N slots and is
// the only code that knows which task each worker holds.
//
// Guarantees:
//  * A task handed to a worker (assign) comes back exactly once: as
//    on_task_result when the worker answers, or as on_task_lost when the
//    worker dies first (any signal, any exit code). The caller decides the
//    task's fate; the supervisor never drops or replays one by itself.
//  * A dead worker is replaced in the same slot, whether it died before or
//    after READY: at once the first time, then with RestartPolicy's
//    exponential backoff while the slot keeps dying (never a tight loop).
//  * Deadlines: expire_running() hands back every running task whose
//    deadline has passed, at once, so the client hears DEADLINE_EXCEEDED on
//    time. Such a task is never reported again (not as a result, not as
//    lost). Its worker is SIGKILLed only once the task passes hang_at_ms
//    (the daemon's deadline, whatever shorter one the client asked for): a
//    client that asks for a short deadline gets its answer at that deadline
//    while the worker finishes the render (its result is dropped), so no
//    client can make workers restart by asking for 1 ms. A killed slot respawns at once (reason
//    "deadline": the request was at fault, not the slot).
//  * Recycling: after its task limit (max_tasks_per_worker ±10%, drawn per
//    worker so a pool never recycles in lockstep) or when a result reports
//    RSS over the limit, a worker is sent ToWorker{shutdown} between tasks
//    and replaced when it exits (reason "recycle", or "memory" when the RSS
//    limit was the cause). It holds no task then, so no request can fail
//    because of it.
//  * Each slot remembers why its previous worker ended (ExitReason), for
//    operators (`stickerctl workers`).
//  * A worker killed by SIGSYS broke its sandbox (worker/sandbox.h): it is
//    logged with the system call it made (its last message names it),
//    counted as "sandbox" and respawned like a crash; its task's fate is a
//    crash's (retried, then POISONED).
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

#include "master/pool/death_cause.h"
#include "master/pool/exit_reason.h"
#include "master/pool/restart_policy.h"
#include "master/pool/task.h"
#include "master/pool/worker_link.h"
#include "master/pool/worker_view.h"
#include "master/uv/uv_handle.h"
#include "worker.pb.h"

namespace stickerd {

class SupervisorEvents {
 public:
  virtual void on_worker_idle() = 0;  // a READY worker can take a task
  // A new worker said READY `startup_seconds` after it was spawned (before
  // the on_worker_idle that follows).
  virtual void on_worker_started(double startup_seconds) = 0;
  virtual void on_task_result(Task task, v1::TaskResult result) = 0;
  virtual void on_task_lost(Task task, DeathCause cause) = 0;  // its worker died holding it
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
  bool enable_test_styles = false;         // passed to each worker
  std::uint64_t max_tasks_per_worker = 0;  // 0: never recycle on count
  std::uint64_t max_worker_rss_bytes = 0;  // 0: never recycle on memory
  bool sandbox = true;                     // passed to each worker (--sandbox on|off)
};

struct WorkerCounts {
  unsigned total = 0;  // configured slots
  unsigned ready = 0;  // said READY and alive: idle + busy
  unsigned busy = 0;
  unsigned idle = 0;
  unsigned backoff = 0;  // dead, waiting out a respawn delay
};

class Supervisor final : private WorkerLinkEvents {
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
  // As stop(), but SIGKILLs the workers at once. Returns the tasks they
  // held, for the caller to answer; those are not reported lost.
  std::vector<Task> kill_all();
  // Returns the running tasks whose deadline_at_ms is at or before `now_ms`
  // and SIGKILLs the workers whose task passed hang_at_ms (see the
  // guarantees above).
  std::vector<Task> expire_running(std::uint64_t now_ms);

  WorkerCounts counts() const;
  // Workers replaced so far, by why they ended.
  const ExitCounts& exits() const { return exits_; }
  // The slot table, for metrics and the control socket (worker_view.cc).
  std::vector<WorkerView> workers() const;
  // Control (supervisor_control.cc). resize() grows at once and shrinks by
  // retiring the highest slots after their current task. A rolling restart
  // replaces one slot at a time, each after its current task; the caller
  // calls rolling_step() whenever a worker becomes idle, and it returns true
  // once the last slot's new worker is READY. Asking for a rolling restart
  // while one runs adds one more full round after it (see rolling_again_).
  void resize(unsigned workers);
  void start_rolling_restart();
  bool rolling_step();  // true once the rolling restart has finished
  bool rolling() const { return !rolling_queue_.empty() || rolling_slot_.has_value(); }

 private:
  enum class SlotState {
    kStarting,  // spawned, warming up, not READY yet
    kIdle,      // READY, no task
    kBusy,      // READY, holds `task`
    kKilling,   // SIGKILLed at a deadline; its task was already handed back
    kRetiring,  // asked to shut down for recycling; holds no task
    kWaiting,   // dead; respawn timer running
    kDisabled,  // exited 78: never respawned
    kStopped,   // exited after stop()
  };

  struct Slot {
    unsigned index = 0;
    SlotState state = SlotState::kStopped;
    std::unique_ptr<WorkerLink> link;
    std::optional<Task> task;
    // Its task's client already has its final reply (DEADLINE_EXCEEDED): the
    // worker may finish it, but its result or loss goes to no one.
    bool task_answered = false;
    RestartPolicy policy;
    std::uint64_t tasks_done = 0;  // by the current process
    std::uint64_t task_limit = 0;  // recycle after this many (0: never)
    std::uint64_t spawned_ns = 0;  // uv_hrtime() at spawn, for the warm-up time
    // Why maybe_recycle() retired the worker: kRecycle or kMemory.
    ExitReason recycle_reason = ExitReason::kRecycle;
    LastExit last_exit;   // why the previous worker in this slot ended
    std::string sandbox;  // the current process's sandbox, from its READY ("" before)
    // The forbidden system call its SIGSYS handler reported, just before dying.
    std::optional<v1::Violation> violation;
    // Control (supervisor_control.cc): retire after the current task (scale
    // down, rolling restart); a removed slot is not respawned and not counted.
    bool retire_requested = false;
    bool removed = false;
    UvHandle<uv_timer_t> respawn_timer;
    Supervisor* owner = nullptr;
  };

  void on_worker_message(WorkerLink& link, v1::FromWorker message) override;
  void on_worker_exit(WorkerLink& link, std::int64_t exit_status, int term_signal) override;

  void spawn(Slot& slot);
  // After a result: retires the worker if it reached its task or memory limit.
  void maybe_recycle(Slot& slot, std::uint64_t rss_bytes);
  // After a worker ended (on_worker_exit): one that did its job or was asked
  // to go is replaced at once; a crashed one under the restart policy's backoff.
  void replace_healthy(Slot& slot, int pid, const std::string& how, ExitReason reason);
  // A crash or a sandbox violation (`reason`): respawned under the backoff.
  void respawn_after_crash(Slot& slot, int pid, const std::string& how, ExitReason reason);
  // Every slot's worker exited 78 (its configuration is broken): tells the server.
  void report_if_all_disabled();
  void schedule_respawn(Slot& slot, std::uint64_t delay_ms);
  void announce_ready_once();
  // Last statement of its callers: it may report on_workers_stopped.
  void check_all_stopped();
  void start_stop_timer();
  // Retires a slot's worker now if idle, else after its task (supervisor_control.cc).
  void retire(Slot& slot);
  // Queues every live slot for the rolling restart.
  void queue_rolling_round();

  uv_loop_t* loop_;
  SupervisorOptions options_;
  SupervisorEvents& events_;
  std::vector<std::unique_ptr<Slot>> slots_;
  UvHandle<uv_timer_t> stop_timer_;  // SIGKILLs workers that ignore a shutdown
  ExitCounts exits_;
  std::uint64_t jitter_state_;  // for the per-worker task limit
  // Cores this process may run on (its affinity); a task is told whether one is
  // left without a worker (Task.spare_core).
  unsigned cores_;
  bool stopping_ = false;
  bool stopped_reported_ = false;
  bool ready_announced_ = false;
  bool landlock_warned_ = false;  // a worker said READY without Landlock: logged once
  // Rolling restart: the slot being replaced and the pid it had, and the
  // slots still to do.
  std::optional<unsigned> rolling_slot_;
  int rolling_old_pid_ = 0;
  std::vector<unsigned> rolling_queue_;
  // Asked again while rolling: workers already replaced may predate what
  // the new request is about (a style reload), so every slot goes once more.
  bool rolling_again_ = false;
};

}  // namespace stickerd
