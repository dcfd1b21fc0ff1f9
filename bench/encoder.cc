// encoder: libwebp settings on fixed pixels. Draws the four sticker-v0 texts
// once with the renderer's own layout and drawing (the exact straight BGRA a
// worker hands libwebp), then times the production encoders
// (encode::encode_webp / encode_webp_animated, import included) under each
// setting in interleaved rounds. Reports ms per sticker, bytes, and PSNR
// against the lossless pixels, so a faster setting can be shown to look the
// same. The row "production" is what the renderer uses (encode::kStickerWebp).
#include <webp/decode.h>
#include <webp/demux.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "bench/args.h"
#include "bench/stats.h"
#include "bench/workload.h"
#include "common/style_catalogue.h"
#include "worker/encode/webp.h"
#include "worker/encode/webp_animated.h"
#include "worker/encode/webp_settings.h"
#include "worker/render/allocator.h"
#include "worker/render/draw.h"
#include "worker/render/pixels.h"
#include "worker/scene/animation.h"
#include "worker/sticker/renderer.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace stickerd;
using Frames = std::vector<std::vector<std::uint8_t>>;  // straight BGRA, 512x512 each
constexpr int kPx = render::kCanvasPx;

struct Setting {
  std::string name;
  encode::WebpSettings settings;
};

struct Options {
  int rounds = 3;
  int per = 2;  // encodes of each text per setting per round
  std::string style = "bench-reference";
  v1::Format format = v1::FORMAT_WEBP;
  bool json = false;
};

Options parse(int argc, char** argv) {
  Options o;
  bench::Args args(argc, argv);
  while (args.more()) {
    const std::string_view a = args.flag();
    if (a == "--rounds")
      o.rounds = std::atoi(args.value().c_str());
    else if (a == "--per")
      o.per = std::atoi(args.value().c_str());
    else if (a == "--style")
      o.style = args.value();
    else if (a == "--format")
      o.format = bench::parse_format(args.value());
    else if (a == "--json")
      o.json = true;
    else {
      fmt::print(stderr,
                 "usage: encoder [--style ID] [--format webp|webp_animated] [--rounds R]\n"
                 "               [--per N] [--json]\n");
      std::exit(2);
    }
  }
  return o;
}

// Every frame of `text` as the renderer draws it.
Frames draw_frames(render::Renderer& renderer, std::string_view text, const v1::StyleSpec& style,
                   bool all) {
  std::vector<render::FrameLook> looks;
  auto scene = renderer.build_scene(text, style, false, looks);
  if (!scene) {
    fmt::print(stderr, "layout failed: {}\n", scene.error().message);
    std::exit(1);
  }
  picture::CairoSurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kPx, kPx));
  Frames frames(all ? looks.size() : 1);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    picture::CairoPtr cr(cairo_create(surface.get()));
    cairo_set_operator(cr.get(), CAIRO_OPERATOR_CLEAR);
    cairo_paint(cr.get());
    cairo_set_operator(cr.get(), CAIRO_OPERATOR_OVER);
    render::draw_frame(cr.get(), *scene, style, looks[i]);
    cairo_surface_flush(surface.get());
    render::unpremultiply_argb32(cairo_image_surface_get_data(surface.get()),
                                 cairo_image_surface_get_stride(surface.get()), kPx, kPx,
                                 frames[i]);
  }
  return frames;
}

// Squared error of one decoded frame against its source, composited over
// black and over white (what a chat shows on dark and light themes).
void add_error(const std::uint8_t* got, const std::uint8_t* want, double& black, double& white) {
  for (std::size_t p = 0; p < static_cast<std::size_t>(kPx) * kPx * 4; p += 4) {
    const double ga = got[p + 3] / 255.0, wa = want[p + 3] / 255.0;
    for (int c = 0; c < 3; ++c) {
      const double g = got[p + c] * ga, w = want[p + c] * wa;
      black += (g - w) * (g - w);
      const double gw = g + 255 * (1 - ga), ww = w + 255 * (1 - wa);
      white += (gw - ww) * (gw - ww);
    }
  }
}

double psnr(double squared, double frames) {
  const double mse = squared / (frames * kPx * kPx * 3);
  return mse <= 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

// PSNR (dB) of a static file against its source: the worse of over black and over white.
double psnr_static(const std::string& webp, const Frames& src) {
  int w = 0, h = 0;
  std::unique_ptr<std::uint8_t, decltype(&WebPFree)> px(
      WebPDecodeBGRA(reinterpret_cast<const std::uint8_t*>(webp.data()), webp.size(), &w, &h),
      WebPFree);
  if (!px || w != kPx || h != kPx) return 0;
  double black = 0, white = 0;
  add_error(px.get(), src[0].data(), black, white);
  return std::min(psnr(black, 1), psnr(white, 1));
}

// The same over every decoded frame of an animation; a frame merged by the
// encoder (shown longer) is compared with the source frame it starts at.
double psnr_animated(const std::string& webp, const Frames& src, std::uint32_t frame_ms) {
  const WebPData data{reinterpret_cast<const std::uint8_t*>(webp.data()), webp.size()};
  WebPAnimDecoderOptions options;
  WebPAnimDecoderOptionsInit(&options);
  options.color_mode = MODE_BGRA;
  std::unique_ptr<WebPAnimDecoder, decltype(&WebPAnimDecoderDelete)> dec(
      WebPAnimDecoderNew(&data, &options), WebPAnimDecoderDelete);
  if (!dec) return 0;
  double black = 0, white = 0, frames = 0;
  int start = 0;
  while (WebPAnimDecoderHasMoreFrames(dec.get())) {
    std::uint8_t* px = nullptr;
    int end = 0;
    if (!WebPAnimDecoderGetNext(dec.get(), &px, &end)) return 0;
    const std::size_t i = std::min(src.size() - 1, static_cast<std::size_t>(start) / frame_ms);
    add_error(px, src[i].data(), black, white);
    ++frames;
    start = end;
  }
  return std::min(psnr(black, frames), psnr(white, frames));
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  auto catalogue = StyleCatalogue::load_dir(default_styles_dir());
  const v1::StyleSpec* style = catalogue ? catalogue->find(o.style) : nullptr;
  if (!style) {
    fmt::print(stderr, "cannot load style {}\n", o.style);
    return 1;
  }
  const bool animated = o.format == v1::FORMAT_WEBP_ANIMATED;
  const std::uint32_t quality = style->webp_quality() ? style->webp_quality()
                                                      : (animated ? encode::kDefaultAnimatedQuality
                                                                  : encode::kDefaultWebpQuality);
  const std::uint32_t frame_ms = render::timing(*style).frame_ms;
  render::reuse_freed_memory();  // as stickerd-worker does
  render::Renderer renderer;
  std::vector<Frames> texts;
  for (auto text : bench::kTexts) texts.push_back(draw_frames(renderer, text, *style, animated));

  // libwebp's defaults first: the baseline every row is compared with.
  const std::vector<Setting> settings = {
      {"m4 af1 aq100 (libwebp defaults)", {4, 1, 100, 0}},
      {"m3 af0 aq100 (before)", {3, 0, 100, 0}},
      {"m2 af0 aq100", {2, 0, 100, 0}},
      {"m1 af0 aq100", {1, 0, 100, 0}},
      {"m2 af0 aq90", {2, 0, 90, 0}},
      {"m2 af0 aq80", {2, 0, 80, 0}},
      {"m1 af0 aq80", {1, 0, 80, 0}},
      {"m2 af0 aq100 thread_level 1", {2, 0, 100, 1}},
      {"production (kStickerWebp)", encode::kStickerWebp},
  };
  const std::size_t n = settings.size();
  auto encode_file = [&](const Frames& frames,
                         const encode::WebpSettings& st) -> Result<std::string> {
    if (animated) {
      auto a = encode::encode_webp_animated(frames, kPx, kPx, frame_ms, quality, 0, st);
      if (!a) return a.error();
      return std::move(a->data);
    }
    auto w = encode::encode_webp(frames[0].data(), kPx, kPx, quality, 0, st);
    if (!w) return w.error();
    return std::move(w->data);
  };
  std::vector<std::vector<double>> ms(n);
  std::vector<std::vector<std::size_t>> bytes(n, std::vector<std::size_t>(texts.size()));
  std::vector<std::vector<double>> db(n, std::vector<double>(texts.size()));
  for (int r = 0; r < o.rounds; ++r) {
    for (std::size_t s = 0; s < n; ++s) {  // interleaved: every setting in every round
      for (int i = 0; i < o.per; ++i) {
        for (std::size_t t = 0; t < texts.size(); ++t) {
          const auto t0 = Clock::now();
          auto file = encode_file(texts[t], settings[s].settings);
          ms[s].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          if (!file) {
            fmt::print(stderr, "{}: {}\n", settings[s].name, file.error().message);
            return 1;
          }
          if (r == 0 && i == 0) {
            bytes[s][t] = file->size();
            db[s][t] =
                animated ? psnr_animated(*file, texts[t], frame_ms) : psnr_static(*file, texts[t]);
          }
        }
      }
    }
  }
  auto total = [](const std::vector<std::size_t>& b) {
    double sum = 0;
    for (auto x : b) sum += static_cast<double>(x);
    return sum;
  };
  auto min_db = [](const std::vector<double>& d) { return *std::min_element(d.begin(), d.end()); };
  const double base_ms = bench::summarise(ms[0]).median;
  const double base_bytes = total(bytes[0]);
  if (o.json)
    fmt::print("[");
  else {
    fmt::print(
        "| setting ({} q{}, style {}) | ms/sticker median [IQR] | speed vs defaults | bytes {} | "
        "bytes vs defaults | PSNR dB min over texts (defaults) |\n|---|---|---|---|---|---|\n",
        animated ? "animated" : "static", quality, o.style, animated ? "per text" : "0/1/2/3");
  }
  for (std::size_t s = 0; s < n; ++s) {
    const auto x = bench::summarise(ms[s]);
    const auto& b = bytes[s];
    const auto& st = settings[s].settings;
    if (o.json) {
      fmt::print(
          "{}{{\"name\":\"{}\",\"method\":{},\"alpha_filtering\":{},\"alpha_quality\":{},\"thread_"
          "level\":{},"
          "\"ms\":{{\"median\":{:.2f},\"p25\":{:.2f},\"p75\":{:.2f},\"min\":{:.2f},\"max\":{:.2f}}}"
          ","
          "\"speedup\":{:.3f},\"bytes\":[{},{},{},{}],\"bytes_ratio\":{:.4f},\"psnr_db\":[{:.2f},{:"
          ".2f},{:.2f},{:.2f}],"
          "\"psnr_min_db\":{:.2f}}}",
          s ? "," : "", settings[s].name, st.method, st.alpha_filtering, st.alpha_quality,
          st.thread_level, x.median, x.p25, x.p75, x.min, x.max, base_ms / x.median, b[0], b[1],
          b[2], b[3], total(b) / base_bytes, db[s][0], db[s][1], db[s][2], db[s][3], min_db(db[s]));
    } else {
      fmt::print(
          "| {} | {:.1f} [{:.1f}–{:.1f}] | ×{:.2f} | {}/{}/{}/{} | {:+.1f} % | {:.2f} ({:.2f}) |\n",
          settings[s].name, x.median, x.p25, x.p75, base_ms / x.median, b[0], b[1], b[2], b[3],
          (total(b) / base_bytes - 1) * 100, min_db(db[s]), min_db(db[0]));
    }
  }
  if (o.json) fmt::print("]\n");
  return 0;
}
