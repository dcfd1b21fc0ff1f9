#include "master/service/client_connections.h"

#include <malloc.h>

#include <fmt/format.h>

#include "common/log.h"
#include "master/ingress/control_access.h"
#include "master/requests/error_reply.h"
#include "master/uv/repeating_timer.h"

namespace stickerd {
namespace {

// How often connections are checked against --idle-timeout-ms. An idle
// timeout is seconds or minutes long; a quarter second late is noise.
constexpr std::uint64_t kIdleSweepMs = 250;

// A refused connection stays open (write side shut) for this long so the
// client reads why (see Connection::refuse), at most kMaxLingering at once:
// past that, a flood of refused connections is closed at once instead.
constexpr std::uint64_t kLingerMs = 500;
constexpr std::size_t kMaxLingering = 256;

}  // namespace

// Connection-level replies (id 0: about the connection, not one request)
// are error_reply()s sent without an id.

ClientConnections::ClientConnections(Parts parts)
    : p_(std::move(parts)),
      listener_(p_.loop, [this](UvHandle<uv_pipe_t> pipe) { accept(std::move(pipe)); }),
      control_listener_(p_.loop, p_.accept_control),
      frame_budget_(p_.config.max_request_buffer_mb << 20) {}

std::optional<Error> ClientConnections::start(std::optional<int> inherited_fd) {
  if (inherited_fd) {
    if (auto e = listener_.adopt(*inherited_fd, "inherited client socket")) return e;
    log::info("listening on the inherited client socket (fd {})", *inherited_fd);
  } else {
    if (auto e = listener_.start(p_.config.socket_path)) return e;
    log::info("listening on {}", p_.config.socket_path);
  }
  reaper_.init([&](uv_check_t* c) { return uv_check_init(p_.loop, c); });
  reaper_.set_owner(this);
  uv_check_start(reaper_.get(), [](uv_check_t* c) {
    if (auto* self = static_cast<ClientConnections*>(c->data)) self->bury_connections();
  });
  uv_unref(reaper_.base());  // it must not keep the loop alive on its own
  start_repeating<ClientConnections, &ClientConnections::sweep_idle>(idle_timer_, p_.loop, this,
                                                                     kIdleSweepMs);
  return std::nullopt;
}

void ClientConnections::close_all() {
  listener_.close();
  control_listener_.close();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, c] : connections_) ids.push_back(id);
  for (auto id : ids) {
    if (auto it = connections_.find(id); it != connections_.end()) it->second->close_after_flush();
  }
}

std::optional<std::uint64_t> ClientConnections::accept(UvHandle<uv_pipe_t> pipe, bool exempt) {
  if (p_.state != RunState::kRunning)
    return std::nullopt;  // the pipe closes as it goes out of scope
  const std::uint64_t id = next_connection_id_++;
  // Who is on the other end, from the kernel (SO_PEERCRED at connect time).
  std::optional<uid_t> uid;
  if (uv_os_fd_t fd = -1; uv_fileno(pipe.base(), &fd) == 0) {
    if (auto peer = peer_credentials(fd)) uid = peer->uid;
  }
  const std::size_t max_request_frame =
      std::min(p_.config.max_frame_bytes, p_.config.max_request_frame_kb << 10);
  auto connection =
      std::make_unique<Connection>(id, std::move(pipe), max_request_frame, frame_budget_, p_.events,
                                   p_.config.max_write_buffer_mb << 20);
  Connection& c = *connection;
  connections_.emplace(id, std::move(connection));
  // An admitted control-socket peer (root or the daemon's user) is exempt,
  // so an operator can always look in; refused connections are never
  // counted: they linger only until their error reply is written.
  if (!exempt) {
    conn_limits_.set_limits({p_.config.max_connections, p_.config.max_connections_per_uid});
    const auto verdict = conn_limits_.admit(uid);
    if (verdict != ConnectionLimits::Verdict::kAdmit) {
      refuse_over_limit(c, verdict, uid);
      return std::nullopt;
    }
    counted_.emplace(id, uid);
  }
  c.start();
  if (!connections_.contains(id)) return std::nullopt;
  return id;
}

void ClientConnections::refuse_over_limit(Connection& c, ConnectionLimits::Verdict verdict,
                                          std::optional<uid_t> uid) {
  ++p_.counters.rejected_limits;
  p_.metrics.rejected(v1::CONNECTION_LIMIT);
  const std::string why = refusal_message(verdict, conn_limits_.limits(), uid);
  log::warning("connection {} refused: {}", c.id(), why);
  if (lingering_.size() < kMaxLingering) {
    c.refuse(error_reply(v1::CONNECTION_LIMIT, why));
    lingering_.emplace_back(c.id(), uv_now(p_.loop) + kLingerMs);
  } else {
    c.send_and_close(error_reply(v1::CONNECTION_LIMIT, why));
  }
}

void ClientConnections::bury_connections() {
  if (graveyard_.empty()) return;
  graveyard_.clear();
  // glibc keeps freed memory for reuse; after a burst of connections or
  // large frames, give it back so the master's RSS returns to its baseline.
  if (freed_since_trim_ >= kTrimAfterFreedBytes) {
    malloc_trim(0);
    freed_since_trim_ = 0;
  }
}

void ClientConnections::forget(Connection& connection) {
  const std::uint64_t id = connection.id();
  if (auto it = counted_.find(id); it != counted_.end()) {
    conn_limits_.release(it->second);
    counted_.erase(it);
  }
  if (auto it = connections_.find(id); it != connections_.end()) {
    freed_since_trim_ += connection.footprint();
    graveyard_.push_back(std::move(it->second));
    connections_.erase(it);
  }
}

void ClientConnections::send(std::uint64_t connection_id, const v1::Reply& reply) {
  // A connection that is gone is simply not found: nothing is written to it.
  if (auto it = connections_.find(connection_id); it != connections_.end()) it->second->send(reply);
}

// A duplicate in-flight id is refused the same way for every kind of
// request: answering it under its id would give that id two final replies,
// so the answer is connection-level (id 0). The connection reads nothing
// more; the request already in flight under the id still gets its one final
// reply, then the connection closes.
bool ClientConnections::refuse_duplicate_id(Connection& connection, std::uint64_t id) {
  if (!p_.in_flight(connection.id(), id)) return false;
  p_.metrics.rejected(v1::INVALID_ARGUMENT);
  log::warning("connection {}: request id {} is already in flight; closing after its reply",
               connection.id(), id);
  connection.retire(error_reply(
      v1::INVALID_ARGUMENT,
      fmt::format("request id {} is already in flight on this connection; ids must be unique "
                  "among in-flight requests. The requests in flight get their replies, then the "
                  "connection closes",
                  id)));
  return true;
}

void ClientConnections::close_if_retired_and_done(std::uint64_t connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (c.retired() && !c.closing() && !p_.in_flight(connection_id, std::nullopt))
    c.close_after_flush();
}

// Checked on a timer rather than per connection: one handle, and the
// setting can change on reload without touching the connections.
void ClientConnections::sweep_idle() {
  const std::uint64_t now = uv_now(p_.loop);
  while (!lingering_.empty() && lingering_.front().second <= now) {
    const std::uint64_t id = lingering_.front().first;
    lingering_.pop_front();
    if (auto it = connections_.find(id); it != connections_.end()) it->second->close();
  }
  const std::uint64_t timeout_ms = p_.config.idle_timeout_ms;
  if (timeout_ms == 0 || p_.state != RunState::kRunning) return;
  std::vector<std::uint64_t> idle;
  for (const auto& [id, c] : connections_) {
    if (!counted_.contains(id) || c->closing() || c->retired()) continue;  // control: exempt
    if (idle_expired(c->last_activity_ms(), now, timeout_ms, p_.in_flight(id, std::nullopt))) {
      idle.push_back(id);
    }
  }
  for (std::uint64_t id : idle) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    ++p_.counters
          .rejected_limits;  // stats.rejected_limits counts refused and idled-out connections
    p_.metrics.rejected(v1::CONNECTION_LIMIT);
    log::info("connection {}: idle for {} ms with nothing in flight; closing", id, timeout_ms);
    it->second->retire(error_reply(
        v1::CONNECTION_LIMIT,
        fmt::format("closed after {} ms without a request in flight (--idle-timeout-ms); "
                    "reconnect to send more",
                    timeout_ms)));
  }
}

}  // namespace stickerd
