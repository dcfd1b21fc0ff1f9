// Server: client connections — admission under the total and per-uid
// limits, the idle timeout, duplicate in-flight ids, and the retirement of a
// connection after a connection-level error (master/connection_limits.h,
// master/request_frame.h, docs/PROTOCOL.md "Malformed frames").
#include <malloc.h>

#include <fmt/format.h>

#include "common/log.h"
#include "master/server.h"

namespace stickerd {
namespace {

v1::Reply connection_error(ErrorCode code, std::string message) {
  v1::Reply reply;  // id 0: about the connection, not one request
  to_proto(make_error(code, std::move(message)), *reply.mutable_error());
  return reply;
}

// How often connections are checked against --idle-timeout-ms. An idle
// timeout is seconds or minutes long; a quarter second late is noise.
constexpr std::uint64_t kIdleSweepMs = 250;

// A refused connection stays open (write side shut) for this long so the
// client reads why (see Connection::refuse), at most kMaxLingering at once:
// past that, a flood of refused connections is closed at once instead.
constexpr std::uint64_t kLingerMs = 500;
constexpr std::size_t kMaxLingering = 256;

}  // namespace

void Server::accept(UvHandle<uv_pipe_t> pipe, bool exempt) {
  if (state_ != State::kRunning) return;  // the pipe closes as it goes out of scope
  const std::uint64_t id = next_connection_id_++;
  // Who is on the other end, from the kernel (SO_PEERCRED at connect time).
  std::optional<uid_t> uid;
  if (uv_os_fd_t fd = -1; uv_fileno(pipe.base(), &fd) == 0) {
    if (auto peer = peer_credentials(fd)) uid = peer->uid;
  }
  ConnectionEvents& events = *this;
  const std::size_t max_request_frame =
      std::min(config_.max_frame_bytes, config_.max_request_frame_kb << 10);
  auto connection = std::make_unique<Connection>(id, std::move(pipe), max_request_frame,
                                                 frame_budget_, events,
                                                 config_.max_write_buffer_mb << 20);
  Connection& c = *connection;
  connections_.emplace(id, std::move(connection));
  // An admitted control-socket peer (root or the daemon's user) is exempt,
  // so an operator can always look in; refused connections are never
  // counted: they linger only until their error reply is written.
  if (!exempt) {
    conn_limits_.set_limits({config_.max_connections, config_.max_connections_per_uid});
    const auto verdict = conn_limits_.admit(uid);
    if (verdict != ConnectionLimits::Verdict::kAdmit) {
      ++rejected_limits_;
      ops_.metrics().rejected(v1::CONNECTION_LIMIT);
      const std::string why = refusal_message(verdict, conn_limits_.limits(), uid);
      log::warning("connection {} refused: {}", id, why);
      if (lingering_.size() < kMaxLingering) {
        c.refuse(connection_error(v1::CONNECTION_LIMIT, why));
        lingering_.emplace_back(id, uv_now(loop_) + kLingerMs);
      } else {
        c.send_and_close(connection_error(v1::CONNECTION_LIMIT, why));
      }
      return;
    }
    counted_.emplace(id, uid);
  }
  c.start();
}

void Server::bury_connections() {
  if (graveyard_.empty()) return;
  graveyard_.clear();
  // glibc keeps freed memory for reuse; after a burst of connections or
  // large frames, give it back so the master's RSS returns to its baseline.
  if (freed_since_trim_ >= kTrimAfterFreedBytes) {
    malloc_trim(0);
    freed_since_trim_ = 0;
  }
}

void Server::on_connection_closed(Connection& connection) {
  const std::uint64_t id = connection.id();
  if (auto it = counted_.find(id); it != counted_.end()) {
    conn_limits_.release(it->second);
    counted_.erase(it);
  }
  const auto dropped = queue_.remove_connection(id);
  const auto forgotten = book_.take_connection(id);
  control_.forget(id);
  rescue_dropped(dropped);  // tasks other connections joined go back for them
  if (!forgotten.empty()) {
    log::info("connection {} closed with {} requests pending; dropped {} queued tasks", id,
              forgotten.size(), dropped.size());
  }
  if (auto it = connections_.find(id); it != connections_.end()) {
    freed_since_trim_ += connection.footprint();
    graveyard_.push_back(std::move(it->second));
    connections_.erase(it);
  }
  maybe_finish_drain();
}

bool Server::in_flight(std::uint64_t connection_id, std::uint64_t id) {
  if (book_.find_client(connection_id, id) != nullptr) return true;
  for (const auto& [c, request_id] : rolling_waiters_) {
    if (c == connection_id && request_id == id) return true;
  }
  return false;
}

bool Server::has_in_flight(std::uint64_t connection_id) {
  if (book_.count_connection(connection_id) > 0) return true;
  for (const auto& waiter : rolling_waiters_) {
    if (waiter.first == connection_id) return true;
  }
  return false;
}

// A duplicate in-flight id is refused the same way for every kind of
// request: answering it under its id would give that id two final replies,
// so the answer is connection-level (id 0). The connection reads nothing
// more; the request already in flight under the id still gets its one final
// reply, then the connection closes.
bool Server::refuse_duplicate_id(Connection& connection, std::uint64_t id) {
  if (!in_flight(connection.id(), id)) return false;
  ops_.metrics().rejected(v1::INVALID_ARGUMENT);
  log::warning("connection {}: request id {} is already in flight; closing after its reply",
               connection.id(), id);
  connection.retire(connection_error(
      v1::INVALID_ARGUMENT,
      fmt::format("request id {} is already in flight on this connection; ids must be unique "
                  "among in-flight requests. The requests in flight get their replies, then the "
                  "connection closes",
                  id)));
  return true;
}

void Server::on_malformed_request(Connection& connection, std::uint64_t id, Error error) {
  if (refuse_duplicate_id(connection, id)) return;
  v1::Reply reply;
  to_proto(error, *reply.mutable_error());
  answer(connection, id, std::move(reply));
}

void Server::on_connection_retired(Connection& connection) {
  close_if_retired_and_done(connection.id());
}

void Server::close_if_retired_and_done(std::uint64_t connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (c.retired() && !c.closing() && !has_in_flight(connection_id)) c.close_after_flush();
}

void Server::start_idle_sweep() {
  idle_timer_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  idle_timer_.set_owner(this);
  uv_timer_start(
      idle_timer_.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<Server*>(t->data)) self->sweep_idle();
      },
      kIdleSweepMs, kIdleSweepMs);
  uv_unref(idle_timer_.base());  // it must not keep the loop alive on its own
}

// Checked on a timer rather than per connection: one handle, and the
// setting can change on reload without touching the connections.
void Server::sweep_idle() {
  const std::uint64_t now = uv_now(loop_);
  while (!lingering_.empty() && lingering_.front().second <= now) {
    const std::uint64_t id = lingering_.front().first;
    lingering_.pop_front();
    if (auto it = connections_.find(id); it != connections_.end()) it->second->close();
  }
  if (config_.idle_timeout_ms == 0 || state_ != State::kRunning) return;
  std::vector<std::uint64_t> idle;
  for (const auto& [id, c] : connections_) {
    if (!counted_.contains(id) || c->closing() || c->retired()) continue;  // control: exempt
    if (idle_expired(c->last_activity_ms(), now, config_.idle_timeout_ms, has_in_flight(id))) {
      idle.push_back(id);
    }
  }
  for (std::uint64_t id : idle) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    ++rejected_limits_;  // stats.rejected_limits counts refused and idled-out connections
    ops_.metrics().rejected(v1::CONNECTION_LIMIT);
    log::info("connection {}: idle for {} ms with nothing in flight; closing", id,
              config_.idle_timeout_ms);
    it->second->retire(connection_error(
        v1::CONNECTION_LIMIT,
        fmt::format("closed after {} ms without a request in flight (--idle-timeout-ms); "
                    "reconnect to send more",
                    config_.idle_timeout_ms)));
  }
}

}  // namespace stickerd
