// Connection: frame reading, queued writing and the close protocol for one client.
#include "master/connection.h"

#include <array>
#include <memory>
#include <optional>

#include <google/protobuf/unknown_field_set.h>

#include "common/log.h"

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

// A frame that is well-formed protobuf but not a valid Request (in practice:
// a string field, such as the text, that is not UTF-8, which protobuf
// refuses to parse) is one bad request, not a broken stream. Returns the
// request's id in that case; nullopt when the bytes are not protobuf at all.
std::optional<std::uint64_t> salvage_request_id(const std::string& payload) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(payload)) return std::nullopt;
  std::uint64_t id = 0;
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& f = fields.field(i);
    if (f.number() == v1::Request::kIdFieldNumber && f.type() == google::protobuf::UnknownField::TYPE_VARINT) {
      id = f.varint();
    }
  }
  return id;
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
  decoder_.feed(std::string_view(data, size));
  std::string payload;
  // closing() stops the loop once a handler or a bad frame closes us.
  while (!closing()) {
    switch (decoder_.next(payload)) {
      case FrameDecoder::Status::kNeedMore:
        charge_pending_frame();
        return;
      case FrameDecoder::Status::kTooLarge:
        log::warning("connection {}: frame of {} bytes is over the {} byte limit; closing", id_,
                     decoder_.announced_length(), decoder_.max_frame_bytes());
        send_and_close(protocol_error(
            v1::FRAME_TOO_LARGE, fmt::format("a frame of {} bytes is over the {} byte limit",
                                             decoder_.announced_length(),
                                             decoder_.max_frame_bytes())));
        return;
      case FrameDecoder::Status::kFrame: {
        v1::Request request;
        if (!request.ParseFromString(payload)) {
          if (auto id = salvage_request_id(payload)) {
            v1::Reply reply = protocol_error(
                v1::INVALID_ARGUMENT, "the request has a string field that is not valid UTF-8");
            reply.set_id(*id);
            send(reply);
            break;
          }
          log::warning("connection {}: a frame is not a valid Request; closing", id_);
          send_and_close(protocol_error(v1::INVALID_ARGUMENT,
                                        "a frame did not parse as a stickerd.v1.Request"));
          return;
        }
        events_.on_request(*this, std::move(request));
        break;
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
  send_and_close(protocol_error(
      v1::FRAME_TOO_LARGE,
      fmt::format("the daemon is holding {} bytes of unfinished frames from all clients and a "
                  "frame of {} bytes does not fit under its {} byte limit; retry later",
                  budget_.used(), wanted, budget_.limit())));
  return false;
}

void Connection::send(const v1::Reply& reply) {
  if (closing()) return;
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
  budget_.resize(budgeted_, 0);  // budgeted_ stays, for footprint()
  pipe_.close();
  events_.on_connection_closed(*this);
}

}  // namespace stickerd
