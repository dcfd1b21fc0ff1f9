// TGS (Telegram's animated sticker): the scene as gzipped Lottie JSON with only
// shape layers: glyph outlines as bezier paths, one group per unit, animation
// as keyframes on group and layer transforms and on fill colours.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "style.pb.h"
#include "worker/scene/animation.h"
#include "worker/scene/scene.h"

namespace stickerd::encode {

struct EncodedTgs {
  std::string data;               // gzip
  std::uint32_t frame_count = 0;  // Lottie frames at 60 fps (op - ip)
  std::uint32_t duration_ms = 0;
  std::uint32_t detail = 0;  // 0: every effect and keyframe; higher: simplified to meet 64 KB
};

// The uncompressed JSON at a detail level (0 = full); for tests and debugging.
std::string lottie_json(const render::Scene& scene, const v1::StyleSpec& style,
                        const std::vector<render::FrameLook>& looks, std::uint32_t frame_ms,
                        std::uint32_t detail);

// Writes the TGS, lowering detail (keyframes, per-layer copies, coordinate
// precision, then outline points) until it fits 64 KB; TEXT_TOO_LONG when even
// the simplest form does not.
Result<EncodedTgs> encode_tgs(const render::Scene& scene, const v1::StyleSpec& style,
                              const std::vector<render::FrameLook>& looks, std::uint32_t frame_ms);

// gzip (RFC 1952) at the best compression.
std::string gzip(const std::string& data);

}  // namespace stickerd::encode
