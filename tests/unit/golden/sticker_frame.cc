// Decoding sticker frames with libwebp, cairo and rlottie.
#include "tests/unit/golden/sticker_frame.h"

#include <rlottie.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include <memory>
#include <string>

#include "worker/encode/validator.h"

namespace stickerd::golden {
namespace {

constexpr int kTgsPx = 512;

struct AnimDecoderDeleter {
  void operator()(WebPAnimDecoder* d) const { WebPAnimDecoderDelete(d); }
};

std::optional<ArgbImage> webp_frame(std::string_view bytes, std::size_t frame) {
  const WebPData data{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  WebPAnimDecoderOptions options;
  if (!WebPAnimDecoderOptionsInit(&options)) return std::nullopt;
  options.color_mode = MODE_RGBA;
  // The animation decoder reads still WebPs too, as one frame.
  std::unique_ptr<WebPAnimDecoder, AnimDecoderDeleter> decoder(WebPAnimDecoderNew(&data, &options));
  if (!decoder) return std::nullopt;
  WebPAnimInfo info;
  if (!WebPAnimDecoderGetInfo(decoder.get(), &info)) return std::nullopt;
  for (std::size_t i = 0; WebPAnimDecoderHasMoreFrames(decoder.get()); ++i) {
    std::uint8_t* rgba = nullptr;
    int timestamp = 0;
    if (!WebPAnimDecoderGetNext(decoder.get(), &rgba, &timestamp)) return std::nullopt;
    if (i == frame) {
      return from_straight_rgba(rgba, static_cast<int>(info.canvas_width),
                                static_cast<int>(info.canvas_height));
    }
  }
  return std::nullopt;
}

std::optional<ArgbImage> tgs_frame(std::string_view bytes, std::size_t frame) {
  auto json = encode::gunzip(bytes);
  if (!json) return std::nullopt;
  // No cache: each test case loads its own file.
  auto animation = rlottie::Animation::loadFromData(std::move(*json), "", "", false);
  if (!animation || frame >= animation->totalFrame()) return std::nullopt;
  ArgbImage image{kTgsPx, kTgsPx, std::vector<std::uint32_t>(kTgsPx * kTgsPx, 0)};
  // rlottie draws premultiplied ARGB32, the layout ArgbImage holds.
  rlottie::Surface surface(image.pixels.data(), kTgsPx, kTgsPx, kTgsPx * 4);
  animation->renderSync(frame, surface);
  return image;
}

}  // namespace

std::optional<ArgbImage> sticker_frame(std::string_view bytes, v1::Format format,
                                       std::size_t frame) {
  switch (format) {
    case v1::FORMAT_WEBP:
    case v1::FORMAT_WEBP_ANIMATED:
      return webp_frame(bytes, frame);
    case v1::FORMAT_PNG:
      if (frame != 0) return std::nullopt;
      return png_to_image(bytes);
    case v1::FORMAT_TGS:
      return tgs_frame(bytes, frame);
    default:
      return std::nullopt;
  }
}

}  // namespace stickerd::golden
