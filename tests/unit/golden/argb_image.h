// A picture as cairo holds it: native-endian premultiplied ARGB32, tightly
// packed. Every decoded sticker frame and every golden reference is one, so
// they compare channel by channel without caring how transparent pixels were
// coloured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stickerd::golden {

struct ArgbImage {
  int width = 0, height = 0;
  std::vector<std::uint32_t> pixels;

  std::uint32_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

// Straight RGBA bytes to premultiplied ARGB32.
ArgbImage from_straight_rgba(const std::uint8_t* rgba, int width, int height);

// Half the width and height, each pixel the mean of a 2x2 block: the
// references are stored at 256 px, which also evens out edge noise.
ArgbImage half_size(const ArgbImage& image);

// PNG through cairo; nullopt when the bytes or the file are not a PNG.
std::optional<ArgbImage> png_to_image(std::string_view bytes);
std::optional<ArgbImage> read_png(const std::string& path);
bool write_png(const ArgbImage& image, const std::string& path);

}  // namespace stickerd::golden
