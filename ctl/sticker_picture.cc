// Decoding a sticker's first frame: libwebp, cairo's PNG reader, rlottie.
#include "ctl/sticker_picture.h"

#include <webp/demux.h>

#include <cstring>
#include <memory>

#include "common/picture/png_read.h"
#include "ctl/tgs_preview.h"

namespace stickerd::ctl {
namespace {

using picture::CairoSurfacePtr;

constexpr int kTgsPx = 512;

struct AnimDecoderDeleter {
  void operator()(WebPAnimDecoder* d) const { WebPAnimDecoderDelete(d); }
};

// Premultiplied ARGB32 rows copied into a new surface (its stride may be padded).
CairoSurfacePtr surface_from(const std::uint32_t* argb, int width, int height) {
  CairoSurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (int y = 0; y < height; ++y) {
    std::memcpy(data + static_cast<std::size_t>(y) * stride,
                argb + static_cast<std::size_t>(y) * width, static_cast<std::size_t>(width) * 4);
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

Result<CairoSurfacePtr> webp_picture(std::string_view bytes) {
  const WebPData data{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  WebPAnimDecoderOptions options;
  if (!WebPAnimDecoderOptionsInit(&options))
    return make_error(v1::INTERNAL, "libwebp version mismatch");
  options.color_mode = MODE_bgrA;  // premultiplied BGRA: cairo's ARGB32 on little-endian machines
  // The animation decoder reads still WebPs too, as one frame.
  std::unique_ptr<WebPAnimDecoder, AnimDecoderDeleter> decoder(WebPAnimDecoderNew(&data, &options));
  WebPAnimInfo info;
  std::uint8_t* pixels = nullptr;
  int timestamp = 0;
  if (!decoder || !WebPAnimDecoderGetInfo(decoder.get(), &info) ||
      !WebPAnimDecoderGetNext(decoder.get(), &pixels, &timestamp)) {
    return make_error(v1::INVALID_ARGUMENT, "libwebp cannot decode the file");
  }
  // Built from bytes so it holds on big-endian machines as well.
  const auto w = static_cast<int>(info.canvas_width), h = static_cast<int>(info.canvas_height);
  std::vector<std::uint32_t> argb(static_cast<std::size_t>(w) * h);
  for (std::size_t i = 0; i < argb.size(); ++i) {
    const std::uint8_t* p = pixels + i * 4;
    argb[i] = static_cast<std::uint32_t>(p[3]) << 24 | static_cast<std::uint32_t>(p[2]) << 16 |
              static_cast<std::uint32_t>(p[1]) << 8 | p[0];
  }
  return surface_from(argb.data(), w, h);
}

}  // namespace

Result<CairoSurfacePtr> sticker_picture(std::string_view bytes, v1::Format format) {
  switch (format) {
    case v1::FORMAT_WEBP:
    case v1::FORMAT_WEBP_ANIMATED:
      return webp_picture(bytes);
    case v1::FORMAT_PNG: {
      CairoSurfacePtr surface = picture::png_surface(bytes);
      if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
        return make_error(v1::INVALID_ARGUMENT, "cairo cannot read the PNG");
      }
      return surface;
    }
    case v1::FORMAT_TGS: {
      // A step past the end keeps only frame 0.
      auto played = play_tgs(bytes, kTgsPx, 1u << 30);
      if (!played) return played.error();
      return surface_from(played->frames.front().data(), kTgsPx, kTgsPx);
    }
    default:
      return make_error(v1::INVALID_ARGUMENT, "not a sticker format");
  }
}

}  // namespace stickerd::ctl
