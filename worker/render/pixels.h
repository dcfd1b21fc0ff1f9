// Pixel conversion: cairo's premultiplied ARGB32 to the straight BGRA that
// encoders expect (premultiplied input would give edges dark fringes).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace stickerd::render {

// One native-endian cairo ARGB32 pixel to straight {B, G, R, A} bytes.
std::array<std::uint8_t, 4> unpremultiply_pixel(std::uint32_t argb);

// A whole surface's data to tightly packed straight BGRA (stride width * 4).
void unpremultiply_argb32(const std::uint8_t* data, int stride, int width, int height,
                          std::vector<std::uint8_t>& out);

}  // namespace stickerd::render
