// Unpremultiplying cairo's ARGB32 into the straight BGRA encoders expect.
#include <doctest/doctest.h>

#include <algorithm>

#include <cstring>

#include "worker/render/pixels.h"

namespace stickerd::render {

TEST_CASE("a half-transparent pixel gets its full colour back, not a darkened one") {
  // 50 % transparent pure red, premultiplied: A=0x80, R=0x80 (not 0xff).
  const auto bgra = unpremultiply_pixel(0x80800000u);
  CHECK(bgra[0] == 0);     // B
  CHECK(bgra[1] == 0);     // G
  CHECK(bgra[2] == 255);   // R restored to full red
  CHECK(bgra[3] == 0x80);  // A unchanged
}

TEST_CASE("unpremultiplying rounds to the nearest value") {
  // alpha 128, premultiplied orange-ish (R=0x80, G=0x37, B=0x00): G = 55*255/128 = 109.6 -> 110.
  const auto bgra = unpremultiply_pixel(0x80803700u);
  CHECK(bgra[1] == 110);
  CHECK(bgra[2] == 255);
}

TEST_CASE("every alpha and channel value gives the rounded division, clamped for malformed input") {
  for (std::uint32_t a = 1; a < 256; ++a) {
    for (std::uint32_t c = 0; c < 256; ++c) {
      const std::uint32_t want = std::min<std::uint32_t>(255, (c * 255 + a / 2) / a);
      const auto bgra = unpremultiply_pixel(a << 24 | c << 16 | c << 8 | c);
      if (bgra[0] != want || bgra[1] != want || bgra[2] != want || bgra[3] != a) {
        FAIL_CHECK("alpha " << a << ", channel " << c << ": got " << int(bgra[0]) << ", want "
                            << want);
      }
    }
  }
}

TEST_CASE("fully transparent and fully opaque pixels pass through exactly") {
  CHECK(unpremultiply_pixel(0x00000000u) == std::array<std::uint8_t, 4>{0, 0, 0, 0});
  CHECK(unpremultiply_pixel(0xff123456u) == std::array<std::uint8_t, 4>{0x56, 0x34, 0x12, 0xff});
}

TEST_CASE("a surface converts row by row honouring the stride") {
  // 2x2 pixels with a padded stride of 12 bytes; the padding must be skipped.
  const std::uint32_t rows[2][3] = {{0xff0000ffu, 0x80008000u, 0xdeadbeefu},
                                    {0x00000000u, 0x40404040u, 0xdeadbeefu}};
  std::uint8_t data[24];
  std::memcpy(data, rows, sizeof data);
  std::vector<std::uint8_t> out;
  unpremultiply_argb32(data, 12, 2, 2, out);
  REQUIRE(out.size() == 16);
  CHECK(std::vector<std::uint8_t>(out.begin(), out.begin() + 4) ==
        std::vector<std::uint8_t>{0xff, 0, 0, 0xff});
  CHECK(std::vector<std::uint8_t>(out.begin() + 4, out.begin() + 8) ==
        std::vector<std::uint8_t>{0, 255, 0, 0x80});
  CHECK(std::vector<std::uint8_t>(out.begin() + 8, out.begin() + 12) ==
        std::vector<std::uint8_t>{0, 0, 0, 0});
  CHECK(std::vector<std::uint8_t>(out.begin() + 12, out.begin() + 16) ==
        std::vector<std::uint8_t>{255, 255, 255, 0x40});
}

}  // namespace stickerd::render
