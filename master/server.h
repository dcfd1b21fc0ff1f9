// Server: wires the daemon together. It owns the state the jobs share (the
// configuration, the style catalogue, the RequestState: queue, request
// book, cache, counters ...) and one object per job, and routes what the
// connections and the supervisor report to the job that handles it:
//
//   ClientConnections  the sockets, connection limits, duplicate ids, idle timeout
//   Intake             render, batch, warm (and cancel): gate → admission → poison,
//                      cache, single-flight → booking → queue
//   Dispatcher         dispatch, settle, the one final reply, lost tasks, deadlines
//   ControlService     the control socket's requests
//   RollingRestart     restart-workers and SIGHUP's worker replacement
//   Reloader           stickerctl reload, SIGHUP
//   Lifecycle          drain on SIGTERM, stop
//   PoolSizing         the dynamic pool
//   Reports            stats, styles, poison list, the heartbeat's snapshot
//   RedisLink          cluster mode's connection to Redis (--redis), when configured
//   WorkSharing        cluster mode's work sharing through Redis Streams, over the link
//   RedisCache         cluster mode's result cache tier in Redis, below memory and disk
//
// The central promise, every accepted request gets exactly one final reply,
// is the Dispatcher's (master/requests/dispatcher.h).
#pragma once

#include <uv.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.h"
#include "common/style_catalogue.h"
#include "master/cluster/redis_cache.h"
#include "master/cluster/redis_link.h"
#include "master/config/config.h"
#include "master/config/config_source.h"
#include "master/ingress/connection.h"
#include "master/ops/operations.h"
#include "master/ops/signals.h"
#include "master/pool/supervisor.h"
#include "master/requests/admission.h"
#include "master/requests/dispatcher.h"
#include "master/requests/request_state.h"
#include "master/requests/run_state.h"
#include "master/service/client_connections.h"
#include "master/service/control_service.h"
#include "master/service/intake.h"
#include "master/service/lifecycle.h"
#include "master/service/node_registry.h"
#include "master/service/pool_sizing.h"
#include "master/service/reloader.h"
#include "master/service/reports.h"
#include "master/service/rolling_restart.h"
#include "master/service/work_sharing.h"

namespace stickerd {

class Server : private ConnectionEvents, private SupervisorEvents {
 public:
  // `source` and `loaded` (the configuration as parsed, before main()
  // resolved the worker binary) let a reload rebuild and compare it.
  Server(uv_loop_t* loop, Config config, StyleCatalogue catalogue, ConfigSource source,
         Config loaded);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds the sockets and starts the workers; then run the loop.
  std::optional<Error> start();
  // Valid once the loop has returned: 0 after a clean drain.
  int exit_code() const { return lifecycle_.exit_code(); }

 private:
  // ConnectionEvents.
  void on_request(Connection& connection, v1::Request request) override;
  void on_malformed_request(Connection& connection, std::uint64_t id, Error error) override;
  void on_connection_retired(Connection& connection) override;
  void on_connection_closed(Connection& connection) override;

  // SupervisorEvents.
  void on_worker_idle() override;
  void on_worker_started(double startup_seconds) override;
  void on_task_result(Task task, v1::TaskResult result) override;
  void on_task_lost(Task task, DeathCause cause) override;
  void on_workers_stopped() override;
  void on_no_workers_possible(const std::string& reason) override;

  // Whether request `id` of a connection (any, without an id) still owes
  // its final reply: booked, or waiting for a rolling restart.
  bool in_flight(std::uint64_t connection_id, std::optional<std::uint64_t> id);

  // The shared state.
  uv_loop_t* loop_;
  Config config_;
  StyleCatalogue catalogue_;
  AdmissionLimits limits_;
  RunState state_ = RunState::kRunning;
  RequestState requests_;  // queue, book, cache, flights, warm queue, poison list, counters
  Signals signals_;
  Supervisor supervisor_;
  Operations ops_;
  std::optional<RedisLink> redis_;  // cluster mode (--redis), made by start()

  // The jobs.
  ClientConnections connections_;
  Dispatcher dispatcher_;
  Intake intake_;
  RollingRestart rolling_;
  Reloader reloader_;
  Lifecycle lifecycle_;
  ControlService control_;
  PoolSizing sizing_;
  Reports reports_;
  // Cluster mode (--redis), made by start(); last, so it goes first: it
  // unhooks itself from the Dispatcher.
  std::optional<WorkSharing> sharing_;
  std::optional<RedisCache> redis_cache_;  // cluster mode: the result cache's third tier
  // Cluster mode: this node's registry entry and the cluster's picture.
  std::optional<NodeRegistry> registry_;
};

}  // namespace stickerd
