// Blocking frame I/O on a file descriptor.
#include "common/frame_io.h"

#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace stickerd {

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool write_frame(int fd, const google::protobuf::MessageLite& message) {
  return write_all(fd, encode_frame(message));
}

ReadStatus read_frame(int fd, FrameDecoder& decoder, google::protobuf::MessageLite& message,
                      std::string* error) {
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return ReadStatus::kError;
  };
  std::string payload;
  char buf[64 * 1024];
  for (;;) {
    switch (decoder.next(payload)) {
      case FrameDecoder::Status::kFrame:
        if (!message.ParseFromString(payload)) return fail("frame is not a valid message");
        return ReadStatus::kOk;
      case FrameDecoder::Status::kTooLarge:
        return fail(fmt::format("frame of {} bytes is over the {} byte limit",
                                decoder.announced_length(), decoder.max_frame_bytes()));
      case FrameDecoder::Status::kNeedMore:
        break;
    }
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(fmt::format("read failed: {}", std::strerror(errno)));
    }
    if (n == 0) {
      if (decoder.buffered() > 0) return fail("connection closed in the middle of a frame");
      return ReadStatus::kEof;
    }
    decoder.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

}  // namespace stickerd
