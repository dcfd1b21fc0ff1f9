// A libvpx I420 picture (owned) filled from straight BGRA: the colour planes,
// or the alpha plane as the Y plane of a second picture (how WebM carries
// VP9 alpha).
#pragma once

#include <cstdint>
#include <memory>

#include <vpx/vpx_image.h>

namespace stickerd::encode {

class YuvImage {
 public:
  // nullptr inside (see valid()) when libvpx cannot allocate it.
  YuvImage(int width, int height);

  bool valid() const { return image_ != nullptr; }
  const vpx_image_t& get() const { return *image_; }

  // BT.601 limited range, as VP9 decoders assume without colour metadata.
  void fill_colour(const std::uint8_t* bgra);
  // Y = alpha; U and V mid-grey, so the alpha stream codes no chroma.
  void fill_alpha(const std::uint8_t* bgra);

 private:
  struct Free {
    void operator()(vpx_image_t* image) const { vpx_img_free(image); }
  };
  std::unique_ptr<vpx_image_t, Free> image_;
};

}  // namespace stickerd::encode
