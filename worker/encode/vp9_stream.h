// One VP9 stream coded with libvpx at constant quality (VPX_Q): each picture
// in, exactly one compressed frame out (no look-ahead, so no hidden frames),
// which is what a WebM block and its BlockAdditional hold.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <vpx/vpx_encoder.h>

#include "common/error.h"

namespace stickerd::encode {

struct Vp9Frame {
  std::string data;
  bool key = false;
};

class Vp9Stream {
 public:
  // `cq_level`: 0 (best) .. 63. One thread: a worker owns one core.
  static Result<Vp9Stream> open(int width, int height, int cq_level);

  // `pts_ms` and `duration_ms` in the stream's millisecond time base.
  Result<Vp9Frame> encode(const vpx_image_t& picture, std::int64_t pts_ms,
                          std::uint32_t duration_ms, bool force_key);

 private:
  struct Destroy {
    void operator()(vpx_codec_ctx_t* codec) const {
      vpx_codec_destroy(codec);
      delete codec;
    }
  };
  explicit Vp9Stream(std::unique_ptr<vpx_codec_ctx_t, Destroy> codec) : codec_(std::move(codec)) {}
  std::unique_ptr<vpx_codec_ctx_t, Destroy> codec_;
};

// Opens a small stream and codes one picture, so libvpx's one-time set-up
// (its CPU-specific function tables, built once per process) happens during
// a worker's warm-up: before the sandbox, and not in the first request.
std::optional<Error> warm_up_vp9();

}  // namespace stickerd::encode
