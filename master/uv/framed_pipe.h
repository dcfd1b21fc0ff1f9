// FramedPipe: a libuv pipe that speaks length-prefixed protobuf frames, for
// both ends the master talks to (a client connection, a worker). It reads
// through a FrameDecoder (frames arrive split at any byte), writes from a
// queue with one uv_write in flight, and leaves every decision (what a frame
// means, when to close, whom to kill) to its owner through FramedPipeEvents.
#pragma once

#include <uv.h>

#include <cstddef>
#include <string>

#include <google/protobuf/message_lite.h>

#include "common/frame.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

class FramedPipeEvents {
 public:
  // One whole frame. Returns whether to go on with the next buffered frame:
  // false when the callee stopped reading, closed the pipe or may have
  // destroyed its owner (the pipe is then not touched again).
  virtual bool on_frame(std::string payload) = 0;
  // Everything read so far is consumed; `decoder().pending_frame_bytes()`
  // says how much the frame being read will hold.
  virtual void on_partial_frame() {}
  // The peer announced a frame over the limit; nothing after it is read.
  virtual void on_frame_too_large() = 0;
  // EOF (UV_EOF) or a read error: the read side is over.
  virtual void on_read_end(int status) = 0;
  // A write failed (status != 0), or the queue is written out (0).
  virtual void on_write_done(int status) = 0;

 protected:
  ~FramedPipeEvents() = default;
};

class FramedPipe {
 public:
  // `pipe` may be open already (an accepted connection) or be opened later
  // through handle() (a worker's pipe, which uv_spawn needs before it runs).
  FramedPipe(UvHandle<uv_pipe_t> pipe, std::size_t max_frame_bytes, FramedPipeEvents& events);
  FramedPipe(const FramedPipe&) = delete;
  FramedPipe& operator=(const FramedPipe&) = delete;

  UvHandle<uv_pipe_t>& handle() { return pipe_; }
  uv_loop_t* loop() const { return pipe_.get()->loop; }

  // Returns libuv's error code, 0 on success.
  int start_reading();
  void stop_reading();
  bool reading() const { return reading_; }

  // Queues one frame; flush() starts writing it unless a write is in flight.
  void append(const google::protobuf::MessageLite& message);
  void flush();
  // Bytes queued behind the write in flight.
  std::size_t queued_bytes() const { return queued_.size(); }
  bool write_in_flight() const { return write_in_flight_; }
  void drop_queued() { queued_.clear(); }

  const FrameDecoder& decoder() const { return decoder_; }
  // Stops reading, drops the queue and closes the handle. Idempotent.
  void close();

 private:
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  void decode(const char* data, std::size_t size);

  UvHandle<uv_pipe_t> pipe_;
  FramedPipeEvents& events_;
  FrameDecoder decoder_;
  std::string queued_;  // encoded frames waiting for the write in flight
  bool reading_ = false;
  bool write_in_flight_ = false;
};

}  // namespace stickerd
