// ControlService: the control socket and its requests (workers, scale,
// drain, resume, restart_workers, reload). Control kinds are honoured only
// on connections ControlAccess admitted; anywhere else they get
// PERMISSION_DENIED, so the client socket's wider mode never grants control.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "master/cache/popularity.h"
#include "master/config/config.h"
#include "master/ingress/connection.h"
#include "master/ingress/control_access.h"
#include "master/ops/metrics.h"
#include "master/pool/supervisor.h"
#include "master/requests/dispatcher.h"
#include "master/requests/run_state.h"
#include "master/requests/task_queue.h"
#include "master/service/client_connections.h"
#include "master/service/intake.h"
#include "master/service/lifecycle.h"
#include "master/service/node_registry.h"
#include "master/service/reloader.h"
#include "master/service/rolling_restart.h"

namespace stickerd {

struct ControlParts {
  const Config& config;
  const RunState& state;
  Supervisor& supervisor;
  const TaskQueue& queue;
  Metrics& metrics;
  Dispatcher& dispatcher;
  Intake& intake;  // the control pause
  ClientConnections& connections;
  RollingRestart& rolling;
  Lifecycle& lifecycle;
  Reloader& reloader;
  const Popularity& popularity;           // cache top
  std::optional<NodeRegistry>& registry;  // cluster mode only: `cluster`
};

class ControlService {
 public:
  explicit ControlService(ControlParts parts) : p_(parts) {}
  ControlService(const ControlService&) = delete;
  ControlService& operator=(const ControlService&) = delete;

  // Listens on `inherited_fd` (systemd's stickerd-control.socket) or on the
  // configured path, with the mode and group the configuration asks for.
  std::optional<Error> start(std::optional<int> inherited_fd);
  // A connection on the control socket: accepted like a client, plus a
  // credentials check.
  void accept(UvHandle<uv_pipe_t> pipe);
  // A control request from any connection.
  void handle(Connection& connection, const v1::Request& request);
  void forget(std::uint64_t connection_id) { access_.forget(connection_id); }

 private:
  // Each fills `reply` (a ControlDone unless it says otherwise), or answers
  // the request itself and returns false.
  bool scale(Connection& connection, std::uint64_t id, const v1::ScaleRequest& scale,
             v1::ControlDone& done);
  bool drain(Connection& connection, std::uint64_t id, const v1::DrainRequest& drain,
             v1::Reply& reply);
  bool reload(Connection& connection, std::uint64_t id, v1::ControlDone& done);
  // Refuses with SHUTTING_DOWN unless the daemon is running; true when it did.
  bool refuse_unless_running(Connection& connection, std::uint64_t id);
  void fill_workers(v1::WorkerList& list) const;
  void fill_cache_top(const v1::CacheTopRequest& request, v1::CacheTop& top) const;
  // Answers `cluster` when the registry's survey is done (or at once without --redis).
  void cluster(Connection& connection, std::uint64_t id);
  bool draining() const { return p_.intake.intake_paused() || p_.state != RunState::kRunning; }

  ControlParts p_;
  ControlAccess access_;
  std::optional<gid_t> gid_;
};

}  // namespace stickerd
