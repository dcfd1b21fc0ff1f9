// FramedPipe: the read loop and the write queue shared by client connections
// and worker links.
#include "master/uv/framed_pipe.h"

#include <array>
#include <memory>
#include <string_view>

namespace stickerd {
namespace {

// One uv_write with the bytes it writes; it outlives the pipe if the write
// is cancelled by a close.
struct WriteOp {
  uv_write_t req{};
  std::string bytes;
};

}  // namespace

FramedPipe::FramedPipe(UvHandle<uv_pipe_t> pipe, std::size_t max_frame_bytes,
                       FramedPipeEvents& events)
    : pipe_(std::move(pipe)), events_(events), decoder_(max_frame_bytes) {
  pipe_.set_owner(this);
}

int FramedPipe::start_reading() {
  const int rc = uv_read_start(pipe_.stream(), on_alloc, on_read);
  reading_ = rc == 0;
  return rc;
}

void FramedPipe::stop_reading() {
  if (!reading_) return;
  reading_ = false;
  uv_read_stop(pipe_.stream());
}

void FramedPipe::on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  // One read buffer for every pipe, not 64 KiB each: libuv calls on_read
  // right after on_alloc on the loop's one thread, and decode() copies what
  // it keeps into the decoder.
  static std::array<char, 64 * 1024> read_buffer{};
  *buf = uv_buf_init(read_buffer.data(), static_cast<unsigned>(read_buffer.size()));
}

void FramedPipe::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<FramedPipe*>(stream->data);
  if (self == nullptr) return;
  if (nread > 0) {
    self->decode(buf->base, static_cast<std::size_t>(nread));
  } else if (nread < 0) {
    self->stop_reading();
    self->events_.on_read_end(static_cast<int>(nread));
  }
  // nread == 0 is EAGAIN: nothing this time.
}

void FramedPipe::decode(const char* data, std::size_t size) {
  decoder_.feed(std::string_view(data, size));
  std::string payload;
  // The owner stops reading from inside a callback (a bad frame, a close):
  // frames behind that point are not read.
  while (true) {
    switch (decoder_.next(payload)) {
      case FrameDecoder::Status::kNeedMore:
        events_.on_partial_frame();
        return;
      case FrameDecoder::Status::kTooLarge:
        stop_reading();
        events_.on_frame_too_large();
        return;
      case FrameDecoder::Status::kFrame:
        if (!events_.on_frame(std::move(payload)) || !reading_) return;
        break;
    }
  }
}

void FramedPipe::append(const google::protobuf::MessageLite& message) {
  append_frame(message, queued_);
}

void FramedPipe::flush() {
  if (write_in_flight_ || queued_.empty()) return;
  auto op = std::make_unique<WriteOp>();
  op->bytes.swap(queued_);
  uv_buf_t buf = uv_buf_init(op->bytes.data(), static_cast<unsigned>(op->bytes.size()));
  if (const int rc = uv_write(&op->req, pipe_.stream(), &buf, 1, on_write); rc != 0) {
    events_.on_write_done(rc);
    return;
  }
  write_in_flight_ = true;
  op.release();  // owned by libuv until on_write
}

void FramedPipe::on_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteOp> op(reinterpret_cast<WriteOp*>(req));
  // data is cleared when the handle closes: the owner may be gone.
  auto* self = static_cast<FramedPipe*>(req->handle->data);
  if (self == nullptr) return;
  self->write_in_flight_ = false;
  if (status == 0 && !self->queued_.empty()) {
    self->flush();
  } else {
    self->events_.on_write_done(status);
  }
}

void FramedPipe::close() {
  reading_ = false;
  queued_.clear();
  pipe_.close();
}

}  // namespace stickerd
