// Server: wires the daemon together. Accepts connections, admits requests,
// queues and dispatches tasks, routes results back, answers stats, styles
// and cancel, and runs the graceful shutdown.
//
// The central promise: every accepted request gets exactly one final reply.
// RequestBook is the one owner of a pending request; finish() is the one
// function that sends a final reply and forgets the request. A request is
// forgotten without a reply only when its client is gone.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/style_catalogue.h"
#include "master/requests/admission.h"
#include "master/config/config.h"
#include "master/config/config_source.h"
#include "master/ingress/connection.h"
#include "master/ingress/connection_limits.h"
#include "master/ingress/control_access.h"
#include "master/ingress/listener.h"
#include "master/requests/poison_list.h"
#include "master/ops/operations.h"
#include "master/requests/request_book.h"
#include "master/cache/result_cache.h"
#include "master/cache/single_flight.h"
#include "master/pool/pool_scaler.h"
#include "master/ops/signals.h"
#include "master/pool/supervisor.h"
#include "master/requests/task_queue.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

class Server : private ConnectionEvents, private SupervisorEvents {
 public:
  // `source` and `loaded` (the configuration as parsed, before main()
  // resolved the worker binary) let a reload rebuild and compare it.
  Server(uv_loop_t* loop, Config config, StyleCatalogue catalogue, ConfigSource source, Config loaded);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds the socket and starts the workers; then run the loop.
  std::optional<Error> start();
  // Valid once the loop has returned: 0 after a clean drain.
  int exit_code() const { return exit_code_; }

 private:
  enum class State {
    kRunning,
    kDraining,  // no new work; finishing queued and running tasks
    kStopping,  // workers are being stopped; then every handle closes
  };

  // Connections (server_connections.cc). `exempt`: an admitted control
  // peer, held to neither connection limit nor the idle timeout.
  void accept(UvHandle<uv_pipe_t> pipe, bool exempt = false);
  // Control socket (server_control.cc): accepted like a client, plus a
  // credentials check; control kinds from anywhere else are refused.
  std::optional<Error> start_control(std::optional<int> inherited_fd);
  void accept_control(UvHandle<uv_pipe_t> pipe);
  void handle_control(Connection& connection, const v1::Request& request);
  void fill_workers(v1::WorkerList& list) const;
  // Drives a rolling restart (stickerctl restart-workers, SIGHUP) on each
  // idle worker; when it is done, answers its waiters and ends the reload.
  void advance_rolling_restart();
  // The workers stopped before a rolling restart finished: its callers get
  // SHUTTING_DOWN rather than a connection closed without a reply.
  void refuse_rolling_waiters();
  void on_request(Connection& connection, v1::Request request) override;
  void on_connection_closed(Connection& connection) override;
  void on_malformed_request(Connection& connection, std::uint64_t id, Error error) override;
  void on_connection_retired(Connection& connection) override;
  // Whether request `id` of a connection still owes its final reply
  // (booked, or waiting for a rolling restart); any of them, for the second.
  bool in_flight(std::uint64_t connection_id, std::uint64_t id);
  bool has_in_flight(std::uint64_t connection_id);
  // Refuses a request whose id is already in flight (connection-level, the
  // connection retires); true when it did.
  bool refuse_duplicate_id(Connection& connection, std::uint64_t id);
  // A retired connection closes once its last request in flight is answered.
  void close_if_retired_and_done(std::uint64_t connection_id);
  void start_idle_sweep();
  void sweep_idle();
  ConnectionLimits conn_limits_{ConnectionLimitSettings{}};
  // Connections counted by conn_limits_, with the uid they were counted under.
  std::unordered_map<std::uint64_t, std::optional<uid_t>> counted_;
  UvHandle<uv_timer_t> idle_timer_;
  // Refused connections waiting to be closed: (connection id, when), oldest first.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> lingering_;
  // Frees the closed connections (from the loop's check phase) and trims
  // the heap after a burst of them.
  void bury_connections();
  static constexpr std::size_t kTrimAfterFreedBytes = 1u << 20;

  // Requests.
  void handle_render(Connection& connection, std::uint64_t id, const v1::RenderRequest& render);
  void handle_batch(Connection& connection, std::uint64_t id, const v1::BatchRequest& batch);
  void handle_cancel(Connection& connection, std::uint64_t id, const v1::CancelRequest& cancel);
  void fill_stats(v1::Stats& stats) const;
  void fill_styles(v1::StyleList& list) const;
  // A final reply to a request that was never booked (refused, or instant).
  void answer(Connection& connection, std::uint64_t id, v1::Reply reply);
  void send_to(std::uint64_t connection_id, const v1::Reply& reply);
  // Sends the final reply of a booked request and forgets it.
  void finish(std::uint64_t serial, v1::Reply reply);

  // Tasks.
  void dispatch();
  // Routes one task's outcome (sticker or error) to the request it serves.
  void settle(const Task& task, v1::TaskResult result);
  void on_worker_idle() override;
  void on_worker_started(double startup_seconds) override;  // server_scaling.cc
  void on_task_result(Task task, v1::TaskResult result) override;
  void on_task_lost(Task task, DeathCause cause) override;
  void on_workers_stopped() override;
  void on_no_workers_possible(const std::string& reason) override;

  // Operations (master/operations.h): what the heartbeat samples, and SIGHUP.
  PoolSnapshot snapshot() const;
  std::optional<Error> reload_styles();
  // Reload (server_reload.cc): the configuration rebuilt from source_, its
  // live changes applied; returns what changed, applied or needs a restart.
  // A bad configuration changes nothing and the error names the key.
  Result<std::string> reload_config();
  // stickerctl reload: reload_config(), then reload_styles(); the reply's text.
  Result<std::string> reload_all();
  ConfigSource source_;
  Config loaded_;  // as last loaded, live changes applied: what the next reload compares
  // SIGHUP: reload_all(), then a rolling restart so the workers load the styles.
  std::optional<Error> reload_and_restart();
  bool reload_restarting_ = false;  // a SIGHUP's rolling restart is running

  // Shutdown.
  void on_signal(int signum);
  // Stops admission and exits once accepted work is done or the grace period
  // is over; `why` names the trigger in the log.
  void begin_shutdown(std::string_view why);
  void maybe_finish_drain();
  // The drain's grace period ran out (or a second signal came): answers
  // every queued and running request SHUTTING_DOWN and kills the workers.
  void abandon_remaining_work();
  UvHandle<uv_timer_t> drain_timer_;  // the grace period of a SIGTERM drain

  uv_loop_t* loop_;
  Config config_;
  StyleCatalogue catalogue_;
  AdmissionLimits limits_;
  State state_ = State::kRunning;
  int exit_code_ = 0;
  std::uint64_t started_ns_;

  Listener listener_;
  Listener control_listener_;
  ControlAccess control_;
  std::optional<gid_t> control_gid_;
  bool paused_ = false;  // drained by a control request: new render work is refused
  // Rolling restart: who to answer when it is done.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> rolling_waiters_;  // connection, request id
  Signals signals_;
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  // Closed connections wait here until the loop is past the callback that
  // closed them, so no caller up the stack holds a dangling reference.
  std::vector<std::unique_ptr<Connection>> graveyard_;
  FrameBudget frame_budget_;
  std::size_t freed_since_trim_ = 0;  // bytes of closed connections (see bury_connections)
  UvHandle<uv_check_t> reaper_;
  std::uint64_t next_connection_id_ = 1;
  std::uint64_t next_task_id_ = 1;

  TaskQueue queue_;
  RequestBook book_;
  Supervisor supervisor_;
  Operations ops_;

  // Result cache, single-flight and warm renders (master/server_cache.cc).
  // The key of a render, or nullopt when the cache (and so dedup) is off.
  std::optional<std::string> render_key(const TaskSpec& spec) const;
  bool answer_from_cache(const std::string& key, v1::Sticker& out);
  // Attaches a booked request to the identical task in flight, if there is
  // one, raising a queued task to the request's priority class if needed.
  bool join_flight(const std::string& key, std::uint64_t serial, std::uint32_t batch_index,
                   v1::Priority priority);
  void lead_flight(const std::string& key, std::uint64_t task_id, std::uint64_t serial,
                   std::uint32_t batch_index);
  // Delivers a flight's result to every waiter and fills the cache; false
  // when `task` leads no flight.
  bool settle_flight(const Task& task, const v1::TaskResult& result);
  // Whether any booked request still waits for `task`.
  bool task_wanted(const Task& task);
  // Tasks taken out of the queue with their request: a task that other
  // requests joined goes back for them.
  void rescue_dropped(std::vector<Task> dropped);
  void handle_warm(Connection& connection, std::uint64_t id, const v1::WarmRequest& warm);
  void dispatch_warm();
  void fill_cache_stats(v1::Stats& stats) const;
  // Brings the cache metrics up to date; called after each cache operation.
  void publish_cache_metrics();
  struct WarmTask {
    Task task;
    std::string key;
  };
  ResultCache cache_{config_.cache_mb * 1024 * 1024};
  SingleFlight flights_;
  std::deque<WarmTask> warm_queue_;  // background renders, dispatched only when idle
  std::unordered_map<std::string, std::uint64_t> warm_keys_;  // key -> queued warm task id
  std::uint64_t cache_joined_ = 0;
  std::uint64_t warm_queued_ = 0;
  std::uint64_t warm_dropped_ = 0;

  // Dynamic pool sizing (master/server_scaling.cc).
  void start_scaler();
  void scale_tick();
  PoolScaler scaler_{ScalerOptions{config_.min_workers, config_.max_workers, 250, config_.scale_idle_ms, 1000}};
  UvHandle<uv_timer_t> scale_timer_;

  std::uint64_t tasks_completed_ = 0;
  std::uint64_t tasks_failed_ = 0;
  std::uint64_t rejected_queue_full_ = 0;
  std::uint64_t retries_ = 0;

  // Reliability (docs/RELIABILITY.md): deadlines, poison, per-client limits.
  std::uint64_t fingerprint(const TaskSpec& spec) const;
  // Sets a new task's fingerprint and absolute deadline.
  void stamp(Task& task) const;
  // The POISONED reply for a request whose fingerprint is poisoned, if it is.
  std::optional<v1::Reply> poison_refusal(std::uint64_t fingerprint);
  // A queued task pushed out by a higher-priority one: answered QUEUE_FULL.
  void answer_displaced(const Task& task);
  // Answers DEADLINE_EXCEEDED for queued and running tasks past their deadline.
  void sweep_deadlines();
  void fill_poison(v1::PoisonList& list);
  // A reply for a request over the connection's in-flight limit, if it is.
  std::optional<v1::Reply> over_inflight_limit(const Connection& connection);
  PoisonList poison_;
  UvHandle<uv_timer_t> deadline_timer_;
  std::uint64_t poisoned_ = 0;
  std::uint64_t deadline_exceeded_ = 0;
  std::uint64_t rejected_limits_ = 0;
};

}  // namespace stickerd
