// Connection: what a client's frames mean, its memory limits and the close
// protocol; FramedPipe moves the bytes.
#include "master/ingress/connection.h"

#include <memory>

#include "common/log.h"
#include "master/ingress/request_frame.h"

namespace stickerd {
namespace {

v1::Reply protocol_error(v1::ErrorCode code, std::string message) {
  v1::Reply reply;  // id 0: the offending frame's id is unknown
  reply.mutable_error()->set_code(code);
  reply.mutable_error()->set_message(std::move(message));
  return reply;
}

}  // namespace

Connection::Connection(std::uint64_t id, UvHandle<uv_pipe_t> pipe, std::size_t max_frame_bytes,
                       FrameBudget& budget, ConnectionEvents& events, std::size_t max_pending_bytes)
    : id_(id),
      events_(events),
      pipe_(std::move(pipe), max_frame_bytes, *this),
      budget_(budget),
      max_pending_bytes_(max_pending_bytes) {
  touch();
}

void Connection::start() {
  if (const int rc = pipe_.start_reading(); rc != 0) {
    log::warning("connection {}: cannot read: {}", id_, uv_strerror(rc));
    close();
  }
}

void Connection::on_read_end(int status) {
  if (status == UV_EOF) {
    if (pipe_.decoder().buffered() > 0) {
      log::info("connection {}: client left in the middle of a frame", id_);
    }
  } else {
    log::info("connection {}: read error: {}", id_, uv_strerror(status));
  }
  close();
}

bool Connection::on_frame(std::string payload) {
  touch();
  auto frame = read_request(payload);
  if (auto* request = std::get_if<v1::Request>(&frame)) {
    events_.on_request(*this, std::move(*request));
  } else if (auto& malformed = std::get<MalformedRequest>(frame); !malformed.closes_connection()) {
    log::info("connection {}: {}", id_, malformed.error.message);
    events_.on_malformed_request(*this, malformed.id, std::move(malformed.error));
  } else {
    log::warning("connection {}: {}; closing", id_, malformed.error.message);
    retire(protocol_error(malformed.error.code, std::move(malformed.error.message)));
  }
  // A handler or a bad frame may have ended the reading: frames behind a
  // connection-level error are not read.
  return !closing() && !retired_;
}

void Connection::on_frame_too_large() {
  touch();
  const FrameDecoder& decoder = pipe_.decoder();
  log::warning("connection {}: frame of {} bytes is over the {} byte limit; closing", id_,
               decoder.announced_length(), decoder.max_frame_bytes());
  retire(protocol_error(v1::FRAME_TOO_LARGE,
                        fmt::format("a frame of {} bytes is over the {} byte limit",
                                    decoder.announced_length(), decoder.max_frame_bytes())));
}

void Connection::on_partial_frame() {
  touch();
  const std::size_t wanted = pipe_.decoder().pending_frame_bytes();
  if (budget_.resize(budgeted_, wanted)) {
    budgeted_ = wanted;
    return;
  }
  log::warning(
      "connection {}: a frame of {} bytes does not fit in the {} bytes all clients' "
      "unfinished frames may hold ({} in use); closing",
      id_, wanted, budget_.limit(), budget_.used());
  retire(protocol_error(
      v1::FRAME_TOO_LARGE,
      fmt::format("the daemon is holding {} bytes of unfinished frames from all clients and a "
                  "frame of {} bytes does not fit under its {} byte limit; retry later",
                  budget_.used(), wanted, budget_.limit())));
}

void Connection::send(const v1::Reply& reply) {
  if (closing()) return;
  touch();
  pipe_.append(reply);
  // A client that stops reading while its replies pile up is cut off rather
  // than allowed to grow the daemon's memory without bound; closing cancels
  // its requests (Server::on_connection_closed).
  if (pipe_.queued_bytes() > max_pending_bytes_) {
    log::warning("connection {}: client is not reading ({} bytes of replies waiting); closing", id_,
                 pipe_.queued_bytes());
    close();
    return;
  }
  pipe_.flush();
}

void Connection::send_and_close(const v1::Reply& reply) {
  send(reply);
  close_after_flush();
}

void Connection::retire(const v1::Reply& reply) {
  if (closing() || retired_) return;
  send(reply);
  if (closing()) return;  // the send itself cut off a client that does not read
  retired_ = true;
  pipe_.stop_reading();
  // Nothing more is read: the unfinished frame's room goes back to others.
  budget_.resize(budgeted_, 0);  // budgeted_ stays, for footprint()
  events_.on_connection_retired(*this);
}

void Connection::refuse(const v1::Reply& reply) {
  if (closing() || retired_) return;
  send(reply);
  if (closing()) return;
  retired_ = true;
  pipe_.stop_reading();
  // libuv runs the shutdown after the queued write and calls back even when
  // the handle closes first (UV_ECANCELED), so the request is always freed.
  auto req = std::make_unique<uv_shutdown_t>();
  if (uv_shutdown(req.get(), pipe_.handle().stream(),
                  [](uv_shutdown_t* r, int) { std::unique_ptr<uv_shutdown_t> owned(r); }) == 0) {
    req.release();  // owned by libuv until the callback
  }
}

void Connection::close_after_flush() {
  if (closing()) return;
  closing_after_flush_ = true;
  pipe_.stop_reading();
  if (!pipe_.write_in_flight()) close();
}

void Connection::on_write_done(int status) {
  if (status != 0) {
    log::info("connection {}: write failed: {}", id_, uv_strerror(status));
    close();
  } else if (closing_after_flush_) {
    close();
  }
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  if (!retired_) budget_.resize(budgeted_, 0);  // a retired one gave it back already
  pipe_.close();
  events_.on_connection_closed(*this);
}

}  // namespace stickerd
