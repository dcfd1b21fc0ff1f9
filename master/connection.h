// Connection: one client on the client socket. Reads Request frames through
// a FrameDecoder (frames arrive split at any byte), writes Reply frames from
// a queue with one uv_write in flight, and closes exactly once.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>

#include "common/frame.h"
#include "master/frame_budget.h"
#include "master/uv_handle.h"
#include "stickerd.pb.h"

namespace stickerd {

class Connection;

class ConnectionEvents {
 public:
  virtual void on_request(Connection& connection, v1::Request request) = 0;
  // The connection is closed and will never send again. It stays a valid
  // object until the callee lets it go, so callers up the stack are safe.
  virtual void on_connection_closed(Connection& connection) = 0;

 protected:
  ~ConnectionEvents() = default;
};

class Connection {
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
  // Stops reading and closes once every queued reply is written.
  void close_after_flush();
  // Closes now, dropping unwritten replies.
  void close();

  std::uint64_t id() const { return id_; }
  bool closing() const { return closed_ || closing_after_flush_; }
  // Roughly what this connection's memory is, for the trim after closes.
  std::size_t footprint() const { return sizeof(Connection) + budgeted_; }

 private:
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);

  void handle_bytes(const char* data, std::size_t size);
  void flush();
  // Charges the frame being read to the shared budget; false when it does
  // not fit (the connection is then refused and closing).
  bool charge_pending_frame();

  std::uint64_t id_;
  UvHandle<uv_pipe_t> pipe_;
  ConnectionEvents& events_;
  FrameDecoder decoder_;
  FrameBudget& budget_;
  std::size_t budgeted_ = 0;  // this connection's share of budget_
  std::size_t max_pending_bytes_;
  std::string pending_;  // encoded replies waiting for the write in flight
  bool write_in_flight_ = false;
  bool closing_after_flush_ = false;
  bool closed_ = false;
};

}  // namespace stickerd
