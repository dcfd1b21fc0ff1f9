// Animated WebP through libwebpmux's WebPAnimEncoder, with quality and then
// frame count lowered until the file meets a size cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "worker/encode/webp_settings.h"

namespace stickerd::encode {

struct EncodedAnimation {
  std::string data;
  std::uint32_t quality = 0;
  std::uint32_t frame_count = 0;  // frames kept (before the encoder merges identical ones)
  std::uint32_t duration_ms = 0;
};

inline constexpr std::uint32_t kDefaultAnimatedQuality = 75;

// Where the encoder takes its frames from, in order on the first pass and
// again on a retry at lower quality. frame(i) may wait until frame i exists,
// so the renderer can draw the next frames while the encoder codes this one;
// nullptr means it never will (drawing failed), which stops the encoding.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual std::size_t size() const = 0;
  // Straight BGRA, tightly packed; valid as long as the source.
  virtual const std::uint8_t* frame(std::size_t i) = 0;
};

// Frames straight BGRA, `width` x `height`, each shown `frame_ms`.
// `max_bytes` 0: no cap. INTERNAL when even the lowest quality with a quarter
// of the frames is too big, or when `frames` fails to deliver one.
Result<EncodedAnimation> encode_webp_animated(FrameSource& frames, int width, int height,
                                              std::uint32_t frame_ms, std::uint32_t quality,
                                              std::size_t max_bytes, const WebpSettings& settings);

// The same for frames that already exist.
Result<EncodedAnimation> encode_webp_animated(const std::vector<std::vector<std::uint8_t>>& frames,
                                              int width, int height, std::uint32_t frame_ms,
                                              std::uint32_t quality, std::size_t max_bytes,
                                              const WebpSettings& settings);

}  // namespace stickerd::encode
