// Static lossy WebP with alpha, encoded from straight BGRA pixels, with the
// quality stepped down until the file meets a size cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "worker/encode/webp_settings.h"

namespace stickerd::encode {

struct EncodedWebp {
  std::string data;
  std::uint32_t quality = 0;  // the quality that met the cap
};

inline constexpr std::uint32_t kDefaultWebpQuality = 80;
inline constexpr std::uint32_t kMinWebpQuality = 10;
inline constexpr std::uint32_t kWebpQualityStep = 10;

// `max_bytes` 0 means no cap. Tries `quality`, then lower qualities in steps of
// kWebpQualityStep down to kMinWebpQuality; INTERNAL if even that is too big.
Result<EncodedWebp> encode_webp(const std::uint8_t* bgra, int width, int height,
                                std::uint32_t quality, std::size_t max_bytes,
                                const WebpSettings& settings);

}  // namespace stickerd::encode
