// TGS previews: gunzip, play with rlottie, encode with libwebp's animation encoder.
#include "ctl/tgs_preview.h"

#include <rlottie.h>
#include <webp/encode.h>
#include <webp/mux.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

namespace stickerd::ctl {
namespace {

constexpr int kPreviewPx = 256;
constexpr std::uint32_t kPreviewStep = 3;  // of 60 fps: 20 fps is smooth enough to judge a motion
constexpr float kPreviewQuality = 70;

std::optional<std::string> gunzip(std::string_view bytes) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  int status = Z_OK;
  while (status == Z_OK) {
    char chunk[16384];
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    status = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
  }
  inflateEnd(&z);
  if (status != Z_STREAM_END) return std::nullopt;
  return out;
}

struct AnimEncoderDeleter {
  void operator()(WebPAnimEncoder* e) const { WebPAnimEncoderDelete(e); }
};

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

// Premultiplied ARGB32 to the straight BGRA bytes libwebp imports (encoding
// premultiplied colour would darken every anti-aliased edge).
std::vector<std::uint8_t> straight_bgra(const std::vector<std::uint32_t>& argb) {
  std::vector<std::uint8_t> out(argb.size() * 4);
  for (std::size_t i = 0; i < argb.size(); ++i) {
    const std::uint32_t p = argb[i];
    const std::uint32_t a = p >> 24;
    auto un = [a](std::uint32_t c) {
      return static_cast<std::uint8_t>(
          a == 0 ? 0 : std::min<std::uint32_t>(255, (c * 255 + a / 2) / a));
    };
    out[i * 4 + 0] = un(p & 0xff);
    out[i * 4 + 1] = un(p >> 8 & 0xff);
    out[i * 4 + 2] = un(p >> 16 & 0xff);
    out[i * 4 + 3] = static_cast<std::uint8_t>(a);
  }
  return out;
}

}  // namespace

Result<TgsFrames> play_tgs(std::string_view tgs, int size, std::uint32_t step) {
  auto json = gunzip(tgs);
  if (!json) return make_error(v1::INVALID_ARGUMENT, "the TGS is not gzip data");
  auto animation = rlottie::Animation::loadFromData(std::move(*json), "", "", false);
  if (!animation) return make_error(v1::INVALID_ARGUMENT, "rlottie cannot load the TGS");
  TgsFrames out;
  out.size = size;
  out.frame_ms = static_cast<std::uint32_t>(1000.0 * step / animation->frameRate());
  const auto px = static_cast<std::size_t>(size);
  for (std::size_t f = 0; f < animation->totalFrame(); f += step) {
    std::vector<std::uint32_t> frame(px * px, 0);
    rlottie::Surface surface(frame.data(), px, px, px * 4);
    animation->renderSync(f, surface);
    out.frames.push_back(std::move(frame));
  }
  if (out.frames.empty()) return make_error(v1::INVALID_ARGUMENT, "the TGS has no frames");
  return out;
}

Result<std::string> tgs_preview_webp(std::string_view tgs) {
  auto played = play_tgs(tgs, kPreviewPx, kPreviewStep);
  if (!played) return played.error();
  WebPAnimEncoderOptions options;
  WebPConfig config;
  if (!WebPAnimEncoderOptionsInit(&options) || !WebPConfigInit(&config)) {
    return make_error(v1::INTERNAL, "libwebp version mismatch");
  }
  options.anim_params.bgcolor = 0x00000000;  // transparent, not libwebp's white
  config.quality = kPreviewQuality;
  config.method = 2;  // a preview: fast over small
  std::unique_ptr<WebPAnimEncoder, AnimEncoderDeleter> encoder(
      WebPAnimEncoderNew(played->size, played->size, &options));
  if (!encoder) return make_error(v1::INTERNAL, "cannot create the WebP animation encoder");
  int timestamp = 0;
  for (const auto& frame : played->frames) {
    const std::vector<std::uint8_t> bgra = straight_bgra(frame);
    Picture picture;
    picture.get()->use_argb = 1;
    picture.get()->width = played->size;
    picture.get()->height = played->size;
    if (!WebPPictureImportBGRA(picture.get(), bgra.data(), played->size * 4) ||
        !WebPAnimEncoderAdd(encoder.get(), picture.get(), timestamp, &config)) {
      return make_error(v1::INTERNAL, fmt::format("encoding the TGS preview failed: {}",
                                                  WebPAnimEncoderGetError(encoder.get())));
    }
    timestamp += static_cast<int>(played->frame_ms);
  }
  WebPAnimEncoderAdd(encoder.get(), nullptr, timestamp, nullptr);  // the last frame's duration
  Data out;
  if (!WebPAnimEncoderAssemble(encoder.get(), out.get())) {
    return make_error(v1::INTERNAL, fmt::format("assembling the TGS preview failed: {}",
                                                WebPAnimEncoderGetError(encoder.get())));
  }
  return std::string(reinterpret_cast<const char*>(out.get()->bytes), out.get()->size);
}

}  // namespace stickerd::ctl
