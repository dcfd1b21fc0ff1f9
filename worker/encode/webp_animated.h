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

// `frames` are straight BGRA, `width` x `height`, each shown `frame_ms`.
// `max_bytes` 0: no cap. INTERNAL when even the lowest quality with a quarter
// of the frames is too big.
Result<EncodedAnimation> encode_webp_animated(const std::vector<std::vector<std::uint8_t>>& frames, int width,
                                              int height, std::uint32_t frame_ms, std::uint32_t quality,
                                              std::size_t max_bytes, const WebpSettings& settings);

}  // namespace stickerd::encode
