// Animated WebP encoding.
//
// Settings from perf-anchors.md: lossy, method 3, alpha_filtering 0, and the
// encoder's default of no keyframes (finite kmin/kmax cost 1.6-3x); never
// method 6 or minimize_size. The background is transparent (libwebp's default
// is opaque white) and the loop is infinite. When a cap is exceeded the
// quality drops first; the alpha plane is lossless and dominates the size, so
// dropping every other frame (each shown twice as long) is the real lever.
#include "worker/encode/webp_animated.h"

#include <memory>

#include <webp/encode.h>
#include <webp/mux.h>

#include <fmt/format.h>

namespace stickerd::encode {
namespace {

constexpr int kMethod = 3;
constexpr std::uint32_t kQualityFloor = 30;

struct AnimEncoderDeleter {
  void operator()(WebPAnimEncoder* e) const { WebPAnimEncoderDelete(e); }
};
using AnimEncoderPtr = std::unique_ptr<WebPAnimEncoder, AnimEncoderDeleter>;

class Picture {
 public:
  Picture() { WebPPictureInit(&pic_); }
  Picture(const Picture&) = delete;
  Picture& operator=(const Picture&) = delete;
  ~Picture() { WebPPictureFree(&pic_); }
  WebPPicture* get() { return &pic_; }

 private:
  WebPPicture pic_;
};

class Data {
 public:
  Data() { WebPDataInit(&data_); }
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;
  ~Data() { WebPDataClear(&data_); }
  WebPData* get() { return &data_; }

 private:
  WebPData data_;
};

Result<std::string> encode_once(const std::vector<std::vector<std::uint8_t>>& frames, std::size_t stride, int width,
                                int height, std::uint32_t frame_ms, std::uint32_t quality) {
  WebPAnimEncoderOptions options;
  if (!WebPAnimEncoderOptionsInit(&options)) return make_error(v1::INTERNAL, "libwebpmux version mismatch");
  options.anim_params.loop_count = 0;
  options.anim_params.bgcolor = 0x00000000;
  options.allow_mixed = 0;
  options.minimize_size = 0;
  AnimEncoderPtr encoder(WebPAnimEncoderNew(width, height, &options));
  if (!encoder) return make_error(v1::INTERNAL, "cannot create the WebP animation encoder");

  WebPConfig config;
  if (!WebPConfigInit(&config)) return make_error(v1::INTERNAL, "libwebp version mismatch");
  config.quality = static_cast<float>(quality);
  config.method = kMethod;
  config.alpha_filtering = 0;
  if (!WebPValidateConfig(&config)) return make_error(v1::INTERNAL, "invalid WebP encoder settings");

  int timestamp = 0;
  const int step_ms = static_cast<int>(frame_ms * stride);
  for (std::size_t i = 0; i < frames.size(); i += stride) {
    Picture picture;
    WebPPicture* pic = picture.get();
    pic->use_argb = 1;
    pic->width = width;
    pic->height = height;
    if (!WebPPictureImportBGRA(pic, frames[i].data(), width * 4)) {
      return make_error(v1::INTERNAL, "out of memory importing a frame into libwebp");
    }
    if (!WebPAnimEncoderAdd(encoder.get(), pic, timestamp, &config)) {
      return make_error(v1::INTERNAL, fmt::format("WebP animation encoding failed: {}",
                                                  WebPAnimEncoderGetError(encoder.get())));
    }
    timestamp += step_ms;
  }
  WebPAnimEncoderAdd(encoder.get(), nullptr, timestamp, nullptr);  // the last frame's duration
  Data out;
  if (!WebPAnimEncoderAssemble(encoder.get(), out.get())) {
    return make_error(v1::INTERNAL,
                      fmt::format("WebP animation assembly failed: {}", WebPAnimEncoderGetError(encoder.get())));
  }
  return std::string(reinterpret_cast<const char*>(out.get()->bytes), out.get()->size);
}

}  // namespace

Result<EncodedAnimation> encode_webp_animated(const std::vector<std::vector<std::uint8_t>>& frames, int width,
                                              int height, std::uint32_t frame_ms, std::uint32_t quality,
                                              std::size_t max_bytes) {
  if (frames.empty()) return make_error(v1::INTERNAL, "an animation needs at least one frame");
  if (quality == 0) quality = kDefaultAnimatedQuality;
  std::size_t last_size = 0;
  for (std::size_t stride = 1; stride <= 4 && (stride == 1 || frames.size() / stride >= 2); stride *= 2) {
    std::uint32_t tried = 0;
    for (std::uint32_t q : {quality, std::min(quality, 50u), std::min(quality, kQualityFloor)}) {
      if (q == tried || (stride > 1 && q != std::min(quality, kQualityFloor))) continue;  // frames drop only at the floor
      tried = q;
      auto data = encode_once(frames, stride, width, height, frame_ms, q);
      if (!data) return data.error();
      last_size = data->size();
      if (max_bytes == 0 || data->size() <= max_bytes) {
        const auto kept = static_cast<std::uint32_t>((frames.size() + stride - 1) / stride);
        return EncodedAnimation{std::move(*data), q, kept, kept * frame_ms * static_cast<std::uint32_t>(stride)};
      }
      if (q <= kQualityFloor) break;
    }
  }
  return make_error(v1::INTERNAL, fmt::format("the animated WebP is {} bytes even at quality {} with a quarter of "
                                              "the frames, over the {} byte cap",
                                              last_size, kQualityFloor, max_bytes));
}

}  // namespace stickerd::encode
