// Animated WebP encoding.
//
// Lossy frames with the caller's settings (worker/encode/webp_settings.h)
// and the encoder's default of no keyframes
// (finite kmin/kmax cost 1.6-3x, perf-anchors.md); never minimize_size (2x).
// The background is transparent (libwebp's default is opaque white) and the
// loop is infinite. When a cap is exceeded the quality drops first; the alpha
// plane is lossless and dominates the size, so dropping every other frame
// (each shown twice as long) is the real lever.
#include "worker/encode/webp_animated.h"

#include <memory>

#include <webp/decode.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <fmt/format.h>

#include "worker/encode/webp_picture.h"

namespace stickerd::encode {
namespace {

constexpr std::uint32_t kQualityFloor = 30;

struct AnimEncoderDeleter {
  void operator()(WebPAnimEncoder* e) const { WebPAnimEncoderDelete(e); }
};
using AnimEncoderPtr = std::unique_ptr<WebPAnimEncoder, AnimEncoderDeleter>;

struct MuxDeleter {
  void operator()(WebPMux* m) const { WebPMuxDelete(m); }
};
using MuxPtr = std::unique_ptr<WebPMux, MuxDeleter>;

// libwebp merges identical frames and writes an animation whose frames are all
// the same (a colour cycle over colour emoji only) as a still image. The
// target asked for an animation, so the still is shown twice for half the
// time each: WebPMuxAssemble would turn a single full-canvas frame back into
// a still.
Result<std::string> still_as_animation(const WebPData& still, int duration_ms) {
  MuxPtr mux(WebPMuxNew());
  if (!mux) return make_error(v1::INTERNAL, "out of memory creating a WebP mux");
  WebPMuxFrameInfo frame{};
  frame.bitstream = still;  // a single-image WebP file is a valid frame
  frame.duration = duration_ms / 2;
  frame.id = WEBP_CHUNK_ANMF;
  frame.dispose_method = WEBP_MUX_DISPOSE_NONE;
  frame.blend_method = WEBP_MUX_NO_BLEND;
  const WebPMuxAnimParams params{0x00000000, 0};  // transparent background, infinite loop
  WebpData out;
  if (WebPMuxPushFrame(mux.get(), &frame, 1) != WEBP_MUX_OK ||
      WebPMuxPushFrame(mux.get(), &frame, 1) != WEBP_MUX_OK ||
      WebPMuxSetAnimationParams(mux.get(), &params) != WEBP_MUX_OK ||
      WebPMuxAssemble(mux.get(), out.get()) != WEBP_MUX_OK) {
    return make_error(v1::INTERNAL, "cannot wrap a still WebP as an animation");
  }
  return std::string(reinterpret_cast<const char*>(out.get()->bytes), out.get()->size);
}

// Frames that already exist.
class ReadyFrames final : public FrameSource {
 public:
  explicit ReadyFrames(const std::vector<std::vector<std::uint8_t>>& frames) : frames_(frames) {}
  std::size_t size() const override { return frames_.size(); }
  const std::uint8_t* frame(std::size_t i) override { return frames_[i].data(); }

 private:
  const std::vector<std::vector<std::uint8_t>>& frames_;
};

Result<std::string> encode_once(FrameSource& frames, std::size_t stride, int width, int height,
                                std::uint32_t frame_ms, std::uint32_t quality,
                                const WebpSettings& settings) {
  WebPAnimEncoderOptions options;
  if (!WebPAnimEncoderOptionsInit(&options))
    return make_error(v1::INTERNAL, "libwebpmux version mismatch");
  options.anim_params.loop_count = 0;
  options.anim_params.bgcolor = 0x00000000;
  options.allow_mixed = 0;
  options.minimize_size = 0;
  AnimEncoderPtr encoder(WebPAnimEncoderNew(width, height, &options));
  if (!encoder) return make_error(v1::INTERNAL, "cannot create the WebP animation encoder");

  auto config = webp_config(settings, quality);
  if (!config) return config.error();

  int timestamp = 0;
  const int step_ms = static_cast<int>(frame_ms * stride);
  for (std::size_t i = 0; i < frames.size(); i += stride) {
    WebpPicture picture;
    WebPPicture* pic = picture.get();
    pic->use_argb = 1;
    pic->width = width;
    pic->height = height;
    const std::uint8_t* bgra = frames.frame(i);
    if (bgra == nullptr)
      return make_error(v1::INTERNAL, fmt::format("frame {} of the animation was not drawn", i));
    if (!WebPPictureImportBGRA(pic, bgra, width * 4)) {
      return make_error(v1::INTERNAL, "out of memory importing a frame into libwebp");
    }
    if (!WebPAnimEncoderAdd(encoder.get(), pic, timestamp, &*config)) {
      return make_error(v1::INTERNAL, fmt::format("WebP animation encoding failed: {}",
                                                  WebPAnimEncoderGetError(encoder.get())));
    }
    timestamp += step_ms;
  }
  WebPAnimEncoderAdd(encoder.get(), nullptr, timestamp, nullptr);  // the last frame's duration
  WebpData out;
  if (!WebPAnimEncoderAssemble(encoder.get(), out.get())) {
    return make_error(v1::INTERNAL, fmt::format("WebP animation assembly failed: {}",
                                                WebPAnimEncoderGetError(encoder.get())));
  }
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(out.get()->bytes, out.get()->size, &features) == VP8_STATUS_OK &&
      !features.has_animation) {
    return still_as_animation(*out.get(), timestamp);
  }
  return std::string(reinterpret_cast<const char*>(out.get()->bytes), out.get()->size);
}

}  // namespace

Result<EncodedAnimation> encode_webp_animated(FrameSource& frames, int width, int height,
                                              std::uint32_t frame_ms, std::uint32_t quality,
                                              std::size_t max_bytes, const WebpSettings& settings) {
  if (frames.size() == 0) return make_error(v1::INTERNAL, "an animation needs at least one frame");
  if (quality == 0) quality = kDefaultAnimatedQuality;
  std::size_t last_size = 0;
  for (std::size_t stride = 1; stride <= 4 && (stride == 1 || frames.size() / stride >= 2);
       stride *= 2) {
    std::uint32_t tried = 0;
    for (std::uint32_t q : {quality, std::min(quality, 50u), std::min(quality, kQualityFloor)}) {
      if (q == tried || (stride > 1 && q != std::min(quality, kQualityFloor)))
        continue;  // frames drop only at the floor
      tried = q;
      auto data = encode_once(frames, stride, width, height, frame_ms, q, settings);
      if (!data) return data.error();
      last_size = data->size();
      if (max_bytes == 0 || data->size() <= max_bytes) {
        const auto kept = static_cast<std::uint32_t>((frames.size() + stride - 1) / stride);
        return EncodedAnimation{std::move(*data), q, kept,
                                kept * frame_ms * static_cast<std::uint32_t>(stride)};
      }
      if (q <= kQualityFloor) break;
    }
  }
  return make_error(
      v1::INTERNAL,
      fmt::format("the animated WebP is {} bytes even at quality {} with a quarter of "
                  "the frames, over the {} byte cap",
                  last_size, kQualityFloor, max_bytes));
}

Result<EncodedAnimation> encode_webp_animated(const std::vector<std::vector<std::uint8_t>>& frames,
                                              int width, int height, std::uint32_t frame_ms,
                                              std::uint32_t quality, std::size_t max_bytes,
                                              const WebpSettings& settings) {
  ReadyFrames source(frames);
  return encode_webp_animated(source, width, height, frame_ms, quality, max_bytes, settings);
}

}  // namespace stickerd::encode
