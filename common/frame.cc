// Frame codec: see frame.h for the byte layout and guarantees.
#include "common/frame.h"

namespace stickerd {
namespace {

std::uint32_t read_le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} | std::uint32_t{u[1]} << 8 | std::uint32_t{u[2]} << 16 |
         std::uint32_t{u[3]} << 24;
}

}  // namespace

void append_frame(const google::protobuf::MessageLite& message, std::string& out) {
  const std::size_t size = message.ByteSizeLong();
  const auto n = static_cast<std::uint32_t>(size);
  const char header[kFrameHeaderBytes] = {
      static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
      static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  const std::size_t start = out.size();
  out.append(header, kFrameHeaderBytes);
  out.resize(start + kFrameHeaderBytes + size);
  message.SerializeWithCachedSizesToArray(
      reinterpret_cast<std::uint8_t*>(out.data() + start + kFrameHeaderBytes));
}

std::string encode_frame(const google::protobuf::MessageLite& message) {
  std::string out;
  append_frame(message, out);
  return out;
}

void FrameDecoder::feed(std::string_view bytes) {
  if (poisoned_) return;
  // Drop what was handed out before growing, so the buffer holds at most one
  // partial frame plus the new bytes.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

FrameDecoder::Status FrameDecoder::next(std::string& payload) {
  if (poisoned_) return Status::kTooLarge;
  const std::size_t available = buffer_.size() - consumed_;
  if (available < kFrameHeaderBytes) return Status::kNeedMore;
  const std::uint32_t length = read_le32(buffer_.data() + consumed_);
  if (length > max_frame_bytes_) {
    poisoned_ = true;
    announced_ = length;
    buffer_.clear();
    consumed_ = 0;
    return Status::kTooLarge;
  }
  if (available - kFrameHeaderBytes < length) return Status::kNeedMore;
  payload.assign(buffer_, consumed_ + kFrameHeaderBytes, length);
  consumed_ += kFrameHeaderBytes + length;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
  return Status::kFrame;
}

std::size_t FrameDecoder::pending_frame_bytes() const {
  const std::size_t available = buffered();
  if (poisoned_ || available < kFrameHeaderBytes) return available;
  return kFrameHeaderBytes + read_le32(buffer_.data() + consumed_);
}

}  // namespace stickerd
