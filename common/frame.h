// Frame codec: the one way every stickerd byte stream is cut into messages.
//
// Byte layout of one frame:
//
//   offset 0   uint32 little-endian  N = length of the payload in bytes
//   offset 4   N bytes               one serialised protobuf message
//
// N may be 0 (an empty message: every field at its default). N above the
// configured maximum is a protocol error: the decoder reports kTooLarge and
// the stream is unusable from then on (the caller answers FRAME_TOO_LARGE when
// it can and closes the connection); the oversized payload is never buffered.
//
// FrameDecoder is incremental: it accepts the stream split at any byte, and a
// single feed() may carry many frames. It does no I/O, so the daemon's libuv
// callbacks, the blocking worker loop, stickerctl and the tests share it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

namespace stickerd {

inline constexpr std::size_t kFrameHeaderBytes = 4;
// 16 MiB: far above the largest sticker (an uncapped animated WebP is a few MB).
inline constexpr std::size_t kDefaultMaxFrameBytes = 16u << 20;

// Appends one frame (header + serialised `message`) to `out`.
void append_frame(const google::protobuf::MessageLite& message, std::string& out);
std::string encode_frame(const google::protobuf::MessageLite& message);

class FrameDecoder {
 public:
  enum class Status {
    kNeedMore,  // no complete frame buffered yet
    kFrame,     // `payload` holds the next frame's payload
    kTooLarge,  // the stream announced a frame over the maximum; stop reading
  };

  explicit FrameDecoder(std::size_t max_frame_bytes = kDefaultMaxFrameBytes)
      : max_frame_bytes_(max_frame_bytes) {}

  // Buffers bytes read from the stream.
  void feed(std::string_view bytes);

  // Extracts the next complete frame, if any. Call until it returns kNeedMore.
  Status next(std::string& payload);

  // The length announced by the frame that caused kTooLarge.
  std::uint32_t announced_length() const { return announced_; }
  std::size_t max_frame_bytes() const { return max_frame_bytes_; }
  // Bytes buffered but not yet returned: non-zero at EOF means a cut-off frame.
  std::size_t buffered() const { return buffer_.size() - consumed_; }
  // Bytes the frame at the front will hold once complete: 4 + N when its
  // header is in, else what is buffered. The size to budget for before
  // reading on.
  std::size_t pending_frame_bytes() const;

 private:
  std::size_t max_frame_bytes_;
  std::string buffer_;
  std::size_t consumed_ = 0;  // prefix of buffer_ already handed out
  std::uint32_t announced_ = 0;
  bool poisoned_ = false;
};

}  // namespace stickerd
