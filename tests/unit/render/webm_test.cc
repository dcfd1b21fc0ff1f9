// WEBM video stickers decoded back: the container read with libwebm, both VP9
// streams decoded with libvpx, and the pictures compared with the frames the
// renderer draws.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

#include "common/picture/handles.h"
#include "test_support.h"
#include "worker/encode/validator.h"
#include "worker/encode/webm_reader.h"
#include "worker/encode/yuv_image.h"
#include "worker/render/draw.h"
#include "worker/render/pixels.h"
#include "worker/sticker/renderer.h"

using namespace stickerd;
using namespace stickerd::render;

namespace {

// One libvpx VP9 decoder; destroyed with the object.
class Vp9Decoder {
 public:
  Vp9Decoder() { REQUIRE(vpx_codec_dec_init(&codec_, vpx_codec_vp9_dx(), nullptr, 0) == 0); }
  ~Vp9Decoder() { vpx_codec_destroy(&codec_); }
  Vp9Decoder(const Vp9Decoder&) = delete;
  Vp9Decoder& operator=(const Vp9Decoder&) = delete;

  // The picture of one compressed frame; valid until the next call.
  const vpx_image_t& decode(const std::string& frame) {
    REQUIRE(vpx_codec_decode(&codec_, reinterpret_cast<const std::uint8_t*>(frame.data()),
                             static_cast<unsigned>(frame.size()), nullptr, 0) == VPX_CODEC_OK);
    vpx_codec_iter_t iter = nullptr;
    const vpx_image_t* image = vpx_codec_get_frame(&codec_, &iter);
    REQUIRE(image != nullptr);
    return *image;
  }

 private:
  vpx_codec_ctx_t codec_{};
};

// The squared error and sample count of the decoded colour against the drawn
// frame's own I420 form (yuv_image.h), over its visible pixels: a luma sample
// where the pixel is at least half opaque, a chroma sample where any pixel of
// its 2x2 block is. This measures what VP9 loses; chroma subsampling itself
// is I420's, the same for every VP9 sticker.
std::pair<double, std::size_t> colour_error(const vpx_image_t& decoded,
                                            const std::vector<std::uint8_t>& bgra) {
  encode::YuvImage drawn(kCanvasPx, kCanvasPx);
  REQUIRE(drawn.valid());
  drawn.fill_colour(bgra.data());
  const vpx_image_t& ref = drawn.get();
  auto visible = [&](int x, int y) {
    return bgra[(static_cast<std::size_t>(y) * kCanvasPx + x) * 4 + 3] >= 128;
  };
  double error = 0;
  std::size_t samples = 0;
  auto add = [&](int plane, int x, int y) {
    const double d = decoded.planes[plane][y * decoded.stride[plane] + x] -
                     ref.planes[plane][y * ref.stride[plane] + x];
    error += d * d;
    ++samples;
  };
  for (int y = 0; y < kCanvasPx; ++y) {
    for (int x = 0; x < kCanvasPx; ++x) {
      if (visible(x, y)) add(VPX_PLANE_Y, x, y);
    }
  }
  for (int y = 0; y < kCanvasPx / 2; ++y) {
    for (int x = 0; x < kCanvasPx / 2; ++x) {
      if (!visible(2 * x, 2 * y) && !visible(2 * x + 1, 2 * y) && !visible(2 * x, 2 * y + 1) &&
          !visible(2 * x + 1, 2 * y + 1)) {
        continue;
      }
      add(VPX_PLANE_U, x, y);
      add(VPX_PLANE_V, x, y);
    }
  }
  return {error, samples};
}

double psnr(double squared_error, std::size_t samples) {
  if (samples == 0 || squared_error == 0) return 99;
  return 10 * std::log10(255.0 * 255.0 / (squared_error / static_cast<double>(samples)));
}

// The straight BGRA frames render() encodes for `text` in `style`.
std::vector<std::vector<std::uint8_t>> drawn_frames(Renderer& r, const std::string& text,
                                                    const v1::StyleSpec& style) {
  std::vector<FrameLook> looks;
  auto scene = r.build_scene(text, style, false, looks);
  REQUIRE_MESSAGE(scene.ok(), test::error_text(scene));
  picture::CairoSurfacePtr surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kCanvasPx, kCanvasPx));
  std::vector<std::vector<std::uint8_t>> frames;
  for (const FrameLook& look : looks) {
    {
      picture::CairoPtr cr(cairo_create(surface.get()));
      cairo_set_operator(cr.get(), CAIRO_OPERATOR_CLEAR);
      cairo_paint(cr.get());
      cairo_set_operator(cr.get(), CAIRO_OPERATOR_OVER);
      draw_frame(cr.get(), *scene, style, look);
    }
    cairo_surface_flush(surface.get());
    frames.emplace_back();
    unpremultiply_argb32(cairo_image_surface_get_data(surface.get()),
                         cairo_image_surface_get_stride(surface.get()), kCanvasPx, kCanvasPx,
                         frames.back());
  }
  return frames;
}

}  // namespace

TEST_CASE("a bounce WEBM decodes back to VP9 with alpha that matches the drawn frames") {
  Renderer r;
  const v1::StyleSpec& style = *test::source_catalogue().find("bench-reference-bounce");
  const std::string text = "Hello world";
  auto out = r.render(text, style, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM);
  REQUIRE_MESSAGE(out.ok(), test::error_text(out));
  CHECK(out->mime_type == "video/webm");
  CHECK(out->data.size() <= 256 * 1024);
  CHECK_FALSE(encode::check_sticker(out->data, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM));

  auto read = encode::read_webm(out->data);
  REQUIRE_MESSAGE(read.ok(), test::error_text(read));
  const encode::WebmContents& w = *read;
  CHECK(w.doc_type == "webm");
  CHECK(w.codec_id == "V_VP9");
  CHECK(w.video_tracks == 1);
  CHECK(w.audio_tracks == 0);
  CHECK(w.other_tracks == 0);
  CHECK(w.width == 512);
  CHECK(w.height == 512);
  CHECK(w.alpha_mode == 1);
  // bench-reference-bounce: 30 frames of 100 ms, 10 fps, within the cap at
  // full quality, so no frame is dropped.
  REQUIRE(w.frames.size() == 30);
  CHECK(out->frame_count == 30);
  CHECK(w.default_duration_ns == 100'000'000);
  CHECK(w.duration_ms == doctest::Approx(3000));
  CHECK(out->duration_ms == 3000);
  CHECK(w.frames.front().key);
  for (std::size_t i = 0; i < w.frames.size(); ++i) {
    CAPTURE(i);
    CHECK(w.frames[i].time_ms == static_cast<std::int64_t>(i) * 100);
    CHECK_FALSE(w.frames[i].alpha.empty());
  }

  const auto frames = drawn_frames(r, text, style);
  REQUIRE(frames.size() == w.frames.size());
  Vp9Decoder colour, alpha;
  double worst_colour = 99, worst_alpha = 99;
  std::vector<std::vector<std::uint8_t>> alphas;  // each decoded alpha plane, packed
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const vpx_image_t& c = colour.decode(w.frames[i].colour);
    REQUIRE(c.d_w == 512);
    REQUIRE(c.d_h == 512);
    REQUIRE(c.fmt == VPX_IMG_FMT_I420);
    const auto [colour_sq, visible] = colour_error(c, frames[i]);
    double alpha_error = 0;
    const vpx_image_t& a = alpha.decode(w.frames[i].alpha);
    REQUIRE(a.d_w == 512);
    alphas.emplace_back();
    for (int y = 0; y < kCanvasPx; ++y) {
      const std::uint8_t* row = a.planes[0] + static_cast<std::ptrdiff_t>(y) * a.stride[0];
      alphas.back().insert(alphas.back().end(), row, row + kCanvasPx);
    }
    for (int y = 0; y < kCanvasPx; ++y) {
      for (int x = 0; x < kCanvasPx; ++x) {
        const double d = a.planes[0][y * a.stride[0] + x] -
                         frames[i][(static_cast<std::size_t>(y) * kCanvasPx + x) * 4 + 3];
        alpha_error += d * d;
      }
    }
    CHECK(visible > 0);
    worst_colour = std::min(worst_colour, psnr(colour_sq, visible));
    worst_alpha = std::min(worst_alpha, psnr(alpha_error, std::size_t{kCanvasPx} * kCanvasPx));
  }
  MESSAGE("WEBM ", out->data.size(), " bytes, quality ", out->quality, "; worst PSNR colour ",
          worst_colour, " dB, alpha ", worst_alpha, " dB");
  CHECK(worst_colour >= 30);
  CHECK(worst_alpha >= 30);

  // A clean loop: the step from the last frame back to the first is no
  // bigger than the steps the animation takes between its own frames (a
  // repeated or missing frame at the seam would be a jump or a stall).
  const auto step = [](const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    double sum = 0;
    for (std::size_t k = 0; k < a.size(); ++k) sum += std::abs(a[k] - b[k]);
    return sum / static_cast<double>(a.size());
  };
  double largest = 0;
  for (std::size_t i = 1; i < alphas.size(); ++i)
    largest = std::max(largest, step(alphas[i - 1], alphas[i]));
  const double seam = step(alphas.back(), alphas.front());
  MESSAGE("loop seam ", seam, ", largest step between frames ", largest);
  CHECK(largest > 0);  // bounce moves
  CHECK(seam <= 1.25 * largest);
}
