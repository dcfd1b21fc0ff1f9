#include "worker/encode/vp9_stream.h"

#include <vpx/vp8cx.h>

#include <vector>

#include <fmt/format.h>

#include "worker/encode/yuv_image.h"

namespace stickerd::encode {
namespace {

// Real-time coding at speed 6 (of 5..9): bench-reference-bounce's two
// 30-frame streams cost about half the time of good-quality speed 5 for 25 %
// more bytes (178 KB against 142 KB at cq_level 28, the same PSNR); speed 8
// is barely faster and 44 % bigger.
constexpr int kCpuUsed = 6;

Error codec_error(vpx_codec_ctx_t* codec, const char* what) {
  const char* detail = vpx_codec_error_detail(codec);
  return make_error(v1::INTERNAL, fmt::format("VP9 {}: {}{}{}", what, vpx_codec_error(codec),
                                              detail ? ": " : "", detail ? detail : ""));
}

}  // namespace

Result<Vp9Stream> Vp9Stream::open(int width, int height, int cq_level) {
  vpx_codec_enc_cfg_t cfg;
  if (vpx_codec_enc_config_default(vpx_codec_vp9_cx(), &cfg, 0) != VPX_CODEC_OK)
    return make_error(v1::INTERNAL, "libvpx has no VP9 encoder configuration");
  cfg.g_w = static_cast<unsigned>(width);
  cfg.g_h = static_cast<unsigned>(height);
  cfg.g_timebase = {1, 1000};
  cfg.g_threads = 1;
  cfg.g_lag_in_frames = 0;
  cfg.g_pass = VPX_RC_ONE_PASS;
  cfg.rc_end_usage = VPX_Q;
  cfg.rc_min_quantizer = 0;
  cfg.rc_max_quantizer = 63;
  // One keyframe, the first: a sticker is played from its start, and loops.
  cfg.kf_mode = VPX_KF_DISABLED;
  std::unique_ptr<vpx_codec_ctx_t, Destroy> codec(new vpx_codec_ctx_t{});
  if (vpx_codec_enc_init(codec.get(), vpx_codec_vp9_cx(), &cfg, 0) != VPX_CODEC_OK) {
    return codec_error(codec.get(), "encoder init");  // destroying it then is a no-op
  }
  if (vpx_codec_control(codec.get(), VP8E_SET_CQ_LEVEL, cq_level) != VPX_CODEC_OK ||
      vpx_codec_control(codec.get(), VP8E_SET_CPUUSED, kCpuUsed) != VPX_CODEC_OK) {
    return codec_error(codec.get(), "encoder settings");
  }
  return Vp9Stream(std::move(codec));
}

Result<Vp9Frame> Vp9Stream::encode(const vpx_image_t& picture, std::int64_t pts_ms,
                                   std::uint32_t duration_ms, bool force_key) {
  if (vpx_codec_encode(codec_.get(), &picture, pts_ms, duration_ms,
                       force_key ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME) != VPX_CODEC_OK) {
    return codec_error(codec_.get(), "encoding");
  }
  Vp9Frame out;
  vpx_codec_iter_t iter = nullptr;
  while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(codec_.get(), &iter)) {
    if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
    out.data.append(static_cast<const char*>(packet->data.frame.buf), packet->data.frame.sz);
    out.key = out.key || (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
  }
  if (out.data.empty()) return make_error(v1::INTERNAL, "VP9 encoder dropped a frame");
  return out;
}

std::optional<Error> warm_up_vp9() {
  constexpr int kSide = 64;
  auto stream = Vp9Stream::open(kSide, kSide, 63);
  if (!stream) return stream.error();
  YuvImage picture(kSide, kSide);
  if (!picture.valid()) return make_error(v1::INTERNAL, "out of memory allocating a VP9 picture");
  const std::vector<std::uint8_t> grey(std::size_t{kSide} * kSide * 4, 128);
  picture.fill_colour(grey.data());
  if (auto frame = stream->encode(picture.get(), 0, 1, true); !frame) return frame.error();
  return std::nullopt;
}

}  // namespace stickerd::encode
