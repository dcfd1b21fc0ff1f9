// Pixel conversion: premultiplied ARGB32 to straight BGRA.
#include "worker/render/pixels.h"

#include <cstring>

namespace stickerd::render {
namespace {

using StraightTable = std::array<std::array<std::uint8_t, 256>, 256>;

// kStraight[a][c]: the rounded c * 255 / a. A division per channel was a
// twentieth of a static sticker's time; the 64 KB table is exact and stays
// in cache. A channel never exceeds its alpha in valid cairo data; the clamp
// only guards against malformed input.
const StraightTable& straight_table() {
  static const StraightTable table = [] {
    StraightTable t{};
    for (std::uint32_t a = 1; a < 256; ++a) {
      for (std::uint32_t c = 0; c < 256; ++c) {
        const std::uint32_t v = (c * 255 + a / 2) / a;
        t[a][c] = static_cast<std::uint8_t>(v > 255 ? 255 : v);
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

std::array<std::uint8_t, 4> unpremultiply_pixel(std::uint32_t argb) {
  const std::uint32_t a = argb >> 24;
  if (a == 0) return {0, 0, 0, 0};
  if (a == 255) {  // opaque: already straight; most of a sticker's ink, and no division
    return {static_cast<std::uint8_t>(argb), static_cast<std::uint8_t>(argb >> 8),
            static_cast<std::uint8_t>(argb >> 16), 255};
  }
  const auto& straight = straight_table()[a];
  return {straight[argb & 0xff], straight[(argb >> 8) & 0xff], straight[(argb >> 16) & 0xff],
          static_cast<std::uint8_t>(a)};
}

void unpremultiply_argb32(const std::uint8_t* data, int stride, int width, int height,
                          std::vector<std::uint8_t>& out) {
  out.resize(static_cast<std::size_t>(width) * height * 4);
  std::uint8_t* dst = out.data();
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = data + static_cast<std::ptrdiff_t>(y) * stride;
    for (int x = 0; x < width; ++x, dst += 4) {
      std::uint32_t argb;
      std::memcpy(&argb, row + x * 4, 4);  // native-endian word, as cairo stores it
      const auto bgra = unpremultiply_pixel(argb);
      std::memcpy(dst, bgra.data(), 4);
    }
  }
}

}  // namespace stickerd::render
