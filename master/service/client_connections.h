// ClientConnections: the sockets and the connections on them. Owns the
// client and control listeners, every Connection (and the graveyard where a
// closed one waits until the loop is past the callback that closed it),
// admission under the total and per-uid connection limits, the idle
// timeout, refusal of duplicate in-flight ids, and the retirement of a
// connection after a connection-level error (master/ingress/connection_limits.h,
// master/ingress/request_frame.h, docs/PROTOCOL.md "Malformed frames").
//
// It is the request path's ReplySink: a reply for a connection that is gone
// is not written anywhere.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "master/config/config.h"
#include "master/ingress/connection.h"
#include "master/ingress/connection_limits.h"
#include "master/ingress/frame_budget.h"
#include "master/ingress/listener.h"
#include "master/ops/counters.h"
#include "master/ops/metrics.h"
#include "master/requests/reply_sink.h"
#include "master/requests/run_state.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

class ClientConnections final : public ReplySink {
 public:
  // Whether request `id` of a connection still owes its final reply, or
  // (no id) whether any request of it does.
  using InFlightFn =
      std::function<bool(std::uint64_t connection_id, std::optional<std::uint64_t> id)>;

  struct Parts {
    uv_loop_t* loop;
    const Config& config;
    const RunState& state;
    Metrics& metrics;
    Counters& counters;
    ConnectionEvents& events;  // what the connections report
    InFlightFn in_flight;
    Listener::AcceptFn accept_control;  // a connection on the control socket
  };
  explicit ClientConnections(Parts parts);
  ClientConnections(const ClientConnections&) = delete;
  ClientConnections& operator=(const ClientConnections&) = delete;

  // Listens on `inherited_fd` (socket activation) or binds the socket path;
  // starts the reaper and the idle sweep.
  std::optional<Error> start(std::optional<int> inherited_fd);
  Listener& control_listener() { return control_listener_; }
  // SIGTERM: the client socket stops accepting (and its file goes).
  void stop_listening() { listener_.close(); }
  // The end: both sockets close and every connection closes after its last reply.
  void close_all();

  // Takes a new connection. `exempt`: an admitted control peer, held to
  // neither connection limit nor the idle timeout. Returns its id when it
  // is admitted and still open.
  std::optional<std::uint64_t> accept(UvHandle<uv_pipe_t> pipe, bool exempt = false);
  // The id the next accepted connection will get.
  std::uint64_t next_id() const { return next_connection_id_; }
  // A closed connection: its count is released and it goes to the graveyard.
  void forget(Connection& connection);
  // Refuses a request whose id is already in flight (connection-level, the
  // connection retires); true when it did.
  bool refuse_duplicate_id(Connection& connection, std::uint64_t id);
  // A retired connection closes once its last request in flight is answered.
  void close_if_retired_and_done(std::uint64_t connection_id);

  // ReplySink.
  void send(std::uint64_t connection_id, const v1::Reply& reply) override;
  void final_reply_sent(std::uint64_t connection_id) override {
    close_if_retired_and_done(connection_id);
  }

  std::size_t size() const { return connections_.size(); }
  FrameBudget& frame_budget() { return frame_budget_; }

 private:
  void refuse_over_limit(Connection& connection, ConnectionLimits::Verdict verdict,
                         std::optional<uid_t> uid);
  void sweep_idle();
  // Frees the closed connections (from the loop's check phase) and trims
  // the heap after a burst of them.
  void bury_connections();
  static constexpr std::size_t kTrimAfterFreedBytes = 1u << 20;

  Parts p_;
  Listener listener_;
  Listener control_listener_;
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  // Closed connections wait here until the loop is past the callback that
  // closed them, so no caller up the stack holds a dangling reference.
  std::vector<std::unique_ptr<Connection>> graveyard_;
  FrameBudget frame_budget_;
  std::size_t freed_since_trim_ = 0;  // bytes of closed connections (see bury_connections)
  UvHandle<uv_check_t> reaper_;
  std::uint64_t next_connection_id_ = 1;
  ConnectionLimits conn_limits_{ConnectionLimitSettings{}};
  // Connections counted by conn_limits_, with the uid they were counted under.
  std::unordered_map<std::uint64_t, std::optional<uid_t>> counted_;
  UvHandle<uv_timer_t> idle_timer_;
  // Refused connections waiting to be closed: (connection id, when), oldest first.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> lingering_;
};

}  // namespace stickerd
