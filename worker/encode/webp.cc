// Static lossy WebP encoding with the caller's settings (the renderer passes
// encode::kStickerWebp; the encoder benchmark tries others).
#include "worker/encode/webp.h"

#include <fmt/format.h>

#include "worker/encode/webp_picture.h"

namespace stickerd::encode {
namespace {

Result<std::string> encode_once(const std::uint8_t* bgra, int width, int height,
                                std::uint32_t quality, const WebpSettings& settings) {
  auto config = webp_config(settings, quality);
  if (!config) return config.error();

  WebpPicture picture;
  WebPPicture* pic = picture.get();
  pic->use_argb = 0;  // lossy codes YUV: import straight into it, not via an ARGB copy
  pic->width = width;
  pic->height = height;
  if (!WebPPictureImportBGRA(pic, bgra, width * 4)) {
    return make_error(v1::INTERNAL, "out of memory importing pixels into libwebp");
  }
  WebpMemoryWriter writer;
  pic->writer = WebPMemoryWrite;
  pic->custom_ptr = writer.get();
  if (!WebPEncode(&*config, pic)) {
    return make_error(v1::INTERNAL, fmt::format("WebP encoding failed (libwebp error {})",
                                                static_cast<int>(pic->error_code)));
  }
  return std::string(reinterpret_cast<const char*>(writer.get()->mem), writer.get()->size);
}

}  // namespace

Result<EncodedWebp> encode_webp(const std::uint8_t* bgra, int width, int height,
                                std::uint32_t quality, std::size_t max_bytes,
                                const WebpSettings& settings) {
  if (quality == 0) quality = kDefaultWebpQuality;
  for (std::uint32_t q = quality;; q -= kWebpQualityStep) {
    auto data = encode_once(bgra, width, height, q, settings);
    if (!data) return data.error();
    if (max_bytes == 0 || data->size() <= max_bytes) return EncodedWebp{std::move(*data), q};
    if (q < kMinWebpQuality + kWebpQualityStep) {
      return make_error(v1::INTERNAL,
                        fmt::format("the WebP is {} bytes even at quality {}, over the {} byte cap",
                                    data->size(), q, max_bytes));
    }
  }
}

}  // namespace stickerd::encode
