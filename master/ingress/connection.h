// Connection: one client on the client socket. Reads Request frames and
// writes Reply frames through a FramedPipe, holds the client to its memory
// limits, and closes exactly once.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>

#include "common/error.h"
#include "master/ingress/frame_budget.h"
#include "master/uv/framed_pipe.h"
#include "master/uv/uv_handle.h"
#include "stickerd.pb.h"

namespace stickerd {

class Connection;

class ConnectionEvents {
 public:
  virtual void on_request(Connection& connection, v1::Request request) = 0;
  // A frame whose id could be read but which is not a valid request (see
  // master/request_frame.h): one bad request, answered under its id.
  virtual void on_malformed_request(Connection& connection, std::uint64_t id, Error error) = 0;
  // The connection sent its last readable frame (a connection-level error
  // went out): it reads nothing more and should close once the requests it
  // has in flight are answered (close_after_flush()).
  virtual void on_connection_retired(Connection& connection) = 0;
  // The connection is closed and will never send again. It stays a valid
  // object until the callee lets it go, so callers up the stack are safe.
  virtual void on_connection_closed(Connection& connection) = 0;

 protected:
  ~ConnectionEvents() = default;
};

class Connection final : private FramedPipeEvents {
 public:
  // A client that leaves more than `max_pending_bytes` of replies unread is
  // disconnected (and its requests cancelled by the closed callback).
  static constexpr std::size_t kDefaultMaxPendingBytes = 16u << 20;

  // `budget` is shared by every connection: the unfinished frames they hold
  // together (see FrameBudget).
  Connection(std::uint64_t id, UvHandle<uv_pipe_t> pipe, std::size_t max_frame_bytes,
             FrameBudget& budget, ConnectionEvents& events,
             std::size_t max_pending_bytes = kDefaultMaxPendingBytes);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts reading; on failure the connection closes (and reports it).
  void start();

  // Queues one reply. Ignored once the connection is closing: a reply for a
  // client that is gone is dropped here, never written to a dead socket.
  void send(const v1::Reply& reply);
  // Sends a last reply (a protocol error) and closes once it is written.
  void send_and_close(const v1::Reply& reply);
  // A connection-level error (id 0): sends it, stops reading and reports
  // on_connection_retired, so the requests already in flight still get
  // their final replies before the close.
  void retire(const v1::Reply& reply);
  // A refusal at admission: sends `reply`, reads nothing, and shuts down the
  // write side, but keeps the socket open until close(). A client that
  // writes its first request right after connecting then gets the reply and
  // EOF rather than EPIPE with the reply lost (some runtimes drop unread
  // data when a write fails).
  void refuse(const v1::Reply& reply);
  // Stops reading and closes once every queued reply is written.
  void close_after_flush();
  // Closes now, dropping unwritten replies.
  void close();

  std::uint64_t id() const { return id_; }
  bool closing() const { return closed_ || closing_after_flush_; }
  bool retired() const { return retired_; }
  // When the client last sent bytes or was sent a reply (the loop's clock, ms).
  std::uint64_t last_activity_ms() const { return last_activity_ms_; }
  // Roughly what this connection's memory is, for the trim after closes.
  std::size_t footprint() const { return sizeof(Connection) + budgeted_; }

 private:
  bool on_frame(std::string payload) override;
  // Charges the frame being read to the shared budget; when it does not fit
  // the connection is retired.
  void on_partial_frame() override;
  void on_frame_too_large() override;
  void on_read_end(int status) override;
  void on_write_done(int status) override;
  void touch() { last_activity_ms_ = uv_now(pipe_.loop()); }

  std::uint64_t id_;
  ConnectionEvents& events_;
  FramedPipe pipe_;
  FrameBudget& budget_;
  std::size_t budgeted_ = 0;  // this connection's share of budget_
  std::size_t max_pending_bytes_;
  bool closing_after_flush_ = false;
  bool closed_ = false;
  bool retired_ = false;  // reads nothing more; closes once nothing is in flight
  std::uint64_t last_activity_ms_ = 0;
};

}  // namespace stickerd
