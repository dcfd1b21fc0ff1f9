#include "worker/encode/yuv_image.h"

#include <cstring>

namespace stickerd::encode {
namespace {

// Fixed point (x256) BT.601 limited range.
std::uint8_t luma(int r, int g, int b) {
  return static_cast<std::uint8_t>((66 * r + 129 * g + 25 * b + 128) / 256 + 16);
}
std::uint8_t blue_difference(int r, int g, int b) {
  return static_cast<std::uint8_t>((-38 * r - 74 * g + 112 * b + 128) / 256 + 128);
}
std::uint8_t red_difference(int r, int g, int b) {
  return static_cast<std::uint8_t>((112 * r - 94 * g - 18 * b + 128) / 256 + 128);
}

// The Y plane, each sample `sample(bgra pixel)`.
template <typename Sample>
void fill_y(vpx_image_t& img, const std::uint8_t* bgra, Sample sample) {
  const int w = static_cast<int>(img.d_w);
  for (int y = 0; y < static_cast<int>(img.d_h); ++y) {
    const std::uint8_t* row = bgra + static_cast<std::size_t>(y) * w * 4;
    std::uint8_t* out = img.planes[VPX_PLANE_Y] + static_cast<std::ptrdiff_t>(y) * img.stride[0];
    for (int x = 0; x < w; ++x) out[x] = sample(row + x * 4);
  }
}

}  // namespace

YuvImage::YuvImage(int width, int height)
    : image_(vpx_img_alloc(nullptr, VPX_IMG_FMT_I420, static_cast<unsigned>(width),
                           static_cast<unsigned>(height), 32)) {}

void YuvImage::fill_colour(const std::uint8_t* bgra) {
  vpx_image_t& img = *image_;
  const int w = static_cast<int>(img.d_w);
  const int h = static_cast<int>(img.d_h);
  fill_y(img, bgra, [](const std::uint8_t* p) { return luma(p[2], p[1], p[0]); });
  // Chroma of each 2x2 block: the average of its pixels weighted by alpha, so
  // the transparent neighbours of an edge do not darken its colour.
  for (int y = 0; y < (h + 1) / 2; ++y) {
    std::uint8_t* u = img.planes[VPX_PLANE_U] + static_cast<std::ptrdiff_t>(y) * img.stride[1];
    std::uint8_t* v = img.planes[VPX_PLANE_V] + static_cast<std::ptrdiff_t>(y) * img.stride[2];
    for (int x = 0; x < (w + 1) / 2; ++x) {
      int r = 0, g = 0, b = 0, weight = 0;
      for (int dy = 0; dy < 2 && 2 * y + dy < h; ++dy) {
        for (int dx = 0; dx < 2 && 2 * x + dx < w; ++dx) {
          const std::uint8_t* p =
              bgra + (static_cast<std::size_t>(2 * y + dy) * w + 2 * x + dx) * 4;
          const int a = p[3] + 1;  // +1: a fully transparent block still averages
          r += p[2] * a;
          g += p[1] * a;
          b += p[0] * a;
          weight += a;
        }
      }
      r /= weight;
      g /= weight;
      b /= weight;
      u[x] = blue_difference(r, g, b);
      v[x] = red_difference(r, g, b);
    }
  }
}

void YuvImage::fill_alpha(const std::uint8_t* bgra) {
  vpx_image_t& img = *image_;
  const int w = static_cast<int>(img.d_w);
  const int h = static_cast<int>(img.d_h);
  fill_y(img, bgra, [](const std::uint8_t* p) { return p[3]; });
  for (int plane : {VPX_PLANE_U, VPX_PLANE_V}) {
    for (int y = 0; y < (h + 1) / 2; ++y) {
      std::memset(img.planes[plane] + static_cast<std::ptrdiff_t>(y) * img.stride[plane], 128,
                  static_cast<std::size_t>((w + 1) / 2));
    }
  }
}

}  // namespace stickerd::encode
