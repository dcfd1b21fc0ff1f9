// Connection: frame reading, queued writing and the close protocol for one client.
#include "master/ingress/connection.h"

#include <array>
#include <memory>
#include <optional>

#include "common/log.h"
#include "master/ingress/request_frame.h"

namespace stickerd {
namespace {

// One uv_write with the bytes it writes; it outlives the Connection if the
// write is cancelled by a close.
struct WriteOp {
  uv_write_t req{};
  std::string bytes;
};

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
      pipe_(std::move(pipe)),
      events_(events),
      decoder_(max_frame_bytes),
      budget_(budget),
      max_pending_bytes_(max_pending_bytes) {
  pipe_.set_owner(this);
  last_activity_ms_ = uv_now(pipe_.get()->loop);
}

void Connection::start() {
  if (const int rc = uv_read_start(pipe_.stream(), on_alloc, on_read); rc != 0) {
    log::warning("connection {}: cannot read: {}", id_, uv_strerror(rc));
    close();
  }
}

void Connection::on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  // One read buffer for every connection, not 64 KiB each: libuv calls
  // on_read right after on_alloc on the loop's one thread, and handle_bytes
  // copies what it keeps into the decoder.
  static std::array<char, 64 * 1024> read_buffer{};
  *buf = uv_buf_init(read_buffer.data(), static_cast<unsigned>(read_buffer.size()));
}

void Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (self == nullptr) return;
  if (nread > 0) {
    self->handle_bytes(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (nread == 0) return;  // EAGAIN: nothing this time
  if (nread == UV_EOF) {
    if (self->decoder_.buffered() > 0) {
      log::info("connection {}: client left in the middle of a frame", self->id_);
    }
  } else {
    log::info("connection {}: read error: {}", self->id_, uv_strerror(static_cast<int>(nread)));
  }
  self->close();
}

void Connection::handle_bytes(const char* data, std::size_t size) {
  last_activity_ms_ = uv_now(pipe_.get()->loop);
  decoder_.feed(std::string_view(data, size));
  std::string payload;
  // closing() and retired_ stop the loop once a handler or a bad frame ends
  // the reading: frames behind a connection-level error are not read.
  while (!closing() && !retired_) {
    switch (decoder_.next(payload)) {
      case FrameDecoder::Status::kNeedMore:
        charge_pending_frame();
        return;
      case FrameDecoder::Status::kTooLarge:
        log::warning("connection {}: frame of {} bytes is over the {} byte limit; closing", id_,
                     decoder_.announced_length(), decoder_.max_frame_bytes());
        retire(protocol_error(
            v1::FRAME_TOO_LARGE, fmt::format("a frame of {} bytes is over the {} byte limit",
                                             decoder_.announced_length(),
                                             decoder_.max_frame_bytes())));
        return;
      case FrameDecoder::Status::kFrame: {
        auto frame = read_request(payload);
        if (auto* request = std::get_if<v1::Request>(&frame)) {
          events_.on_request(*this, std::move(*request));
          break;
        }
        auto& malformed = std::get<MalformedRequest>(frame);
        if (!malformed.closes_connection()) {
          log::info("connection {}: {}", id_, malformed.error.message);
          events_.on_malformed_request(*this, malformed.id, std::move(malformed.error));
          break;
        }
        log::warning("connection {}: {}; closing", id_, malformed.error.message);
        retire(protocol_error(malformed.error.code, std::move(malformed.error.message)));
        return;
      }
    }
  }
}

bool Connection::charge_pending_frame() {
  const std::size_t wanted = decoder_.pending_frame_bytes();
  if (budget_.resize(budgeted_, wanted)) {
    budgeted_ = wanted;
    return true;
  }
  log::warning("connection {}: a frame of {} bytes does not fit in the {} bytes all clients' "
               "unfinished frames may hold ({} in use); closing",
               id_, wanted, budget_.limit(), budget_.used());
  retire(protocol_error(
      v1::FRAME_TOO_LARGE,
      fmt::format("the daemon is holding {} bytes of unfinished frames from all clients and a "
                  "frame of {} bytes does not fit under its {} byte limit; retry later",
                  budget_.used(), wanted, budget_.limit())));
  return false;
}

void Connection::send(const v1::Reply& reply) {
  if (closing()) return;
  last_activity_ms_ = uv_now(pipe_.get()->loop);
  append_frame(reply, pending_);
  // A client that stops reading while its replies pile up is cut off rather
  // than allowed to grow the daemon's memory without bound; closing cancels
  // its requests (Server::on_connection_closed).
  if (pending_.size() > max_pending_bytes_) {
    log::warning("connection {}: client is not reading ({} bytes of replies waiting); closing", id_,
                 pending_.size());
    close();
    return;
  }
  if (!write_in_flight_) flush();
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
  uv_read_stop(pipe_.stream());
  // Nothing more is read: the unfinished frame's room goes back to others.
  budget_.resize(budgeted_, 0);  // budgeted_ stays, for footprint()
  events_.on_connection_retired(*this);
}

void Connection::refuse(const v1::Reply& reply) {
  if (closing() || retired_) return;
  send(reply);
  if (closing()) return;
  retired_ = true;
  uv_read_stop(pipe_.stream());
  // libuv runs the shutdown after the queued write and calls back even when
  // the handle closes first (UV_ECANCELED), so the request is always freed.
  auto req = std::make_unique<uv_shutdown_t>();
  if (uv_shutdown(req.get(), pipe_.stream(), [](uv_shutdown_t* r, int) {
        std::unique_ptr<uv_shutdown_t> owned(r);
      }) == 0) {
    req.release();  // owned by libuv until the callback
  }
}

void Connection::close_after_flush() {
  if (closing()) return;
  closing_after_flush_ = true;
  uv_read_stop(pipe_.stream());
  if (!write_in_flight_) close();
}

void Connection::flush() {
  auto op = std::make_unique<WriteOp>();
  op->bytes.swap(pending_);
  uv_buf_t buf = uv_buf_init(op->bytes.data(), static_cast<unsigned>(op->bytes.size()));
  if (const int rc = uv_write(&op->req, pipe_.stream(), &buf, 1, on_write); rc != 0) {
    log::info("connection {}: write failed: {}", id_, uv_strerror(rc));
    close();
    return;
  }
  write_in_flight_ = true;
  op.release();  // owned by libuv until on_write
}

void Connection::on_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteOp> op(reinterpret_cast<WriteOp*>(req));
  // data is cleared when the handle closes: the owner may be gone.
  auto* self = static_cast<Connection*>(req->handle->data);
  if (self == nullptr) return;
  self->write_in_flight_ = false;
  if (status != 0) {
    log::info("connection {}: write failed: {}", self->id_, uv_strerror(status));
    self->close();
  } else if (!self->pending_.empty()) {
    self->flush();
  } else if (self->closing_after_flush_) {
    self->close();
  }
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  pending_.clear();
  if (!retired_) budget_.resize(budgeted_, 0);  // a retired one gave it back already
  pipe_.close();
  events_.on_connection_closed(*this);
}

}  // namespace stickerd
