// Blocking frame I/O on a file descriptor, for the worker loop, stickerctl,
// tests and benchmarks (the daemon itself reads through libuv).
#pragma once

#include <string>

#include <google/protobuf/message_lite.h>

#include "common/error.h"
#include "common/frame.h"

namespace stickerd {

// Writes all of `bytes`, retrying on EINTR and short writes.
bool write_all(int fd, std::string_view bytes);

// Writes one frame. False when the peer is gone.
bool write_frame(int fd, const google::protobuf::MessageLite& message);

enum class ReadStatus { kOk, kEof, kError };

// Reads until `decoder` yields one frame, then parses it into `message`.
// kEof: the peer closed cleanly between frames. kError: I/O error, cut-off
// frame, oversized frame or unparsable payload; `error` says which.
ReadStatus read_frame(int fd, FrameDecoder& decoder, google::protobuf::MessageLite& message,
                      std::string* error = nullptr);

}  // namespace stickerd
