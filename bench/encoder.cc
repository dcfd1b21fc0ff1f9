// encoder: libwebp settings on fixed pixels. Renders the four sticker-v0 texts
// once with the renderer (as PNG, lossless, so the pixels are exactly what the
// encoder sees in a worker), then times WebPEncode under each setting, in
// interleaved rounds. This measures what the renderer's settings could gain;
// the renderer itself (worker/encode/webp.cc) is not changed by it.
#include <cairo.h>
#include <webp/encode.h>

#include <algorithm>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "bench/stats.h"
#include "common/style_catalogue.h"
#include "worker/render/renderer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Setting {
  const char* name;
  int method;
  int alpha_filtering;
  int thread_level;
};

constexpr Setting kSettings[] = {
    {"m4 af1 (libwebp defaults)", 4, 1, 0}, {"m4 af0", 4, 0, 0}, {"m3 af0 (renderer today)", 3, 0, 0},
    {"m2 af0", 2, 0, 0},                    {"m1 af0", 1, 0, 0}, {"m3 af0 thread_level 1", 3, 0, 1},
    {"m2 af0 thread_level 1", 2, 0, 1},
};

constexpr std::array<std::string_view, 4> kTexts = {"Hello", "Привет, мир!", "stickerd is fast",
                                                    "Animated Sticker Bot 🎉"};

struct Pixels {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
};


struct PngReader {
  std::string_view data;
  std::size_t at = 0;
};

cairo_status_t read_png(void* closure, unsigned char* out, unsigned int length) {
  auto* r = static_cast<PngReader*>(closure);
  if (r->at + length > r->data.size()) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(r->data.data() + r->at, length, out);
  r->at += length;
  return CAIRO_STATUS_SUCCESS;
}

// Cairo gives premultiplied BGRA; the renderer unpremultiplies before libwebp,
// so do the same here.
Pixels decode_png(std::string_view png) {
  PngReader reader{png};
  cairo_surface_t* s = cairo_image_surface_create_from_png_stream(read_png, &reader);
  Pixels p;
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return p;
  }
  p.width = cairo_image_surface_get_width(s);
  p.height = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* src = cairo_image_surface_get_data(s);
  p.rgba.resize(static_cast<std::size_t>(p.width) * p.height * 4);
  for (int y = 0; y < p.height; ++y) {
    for (int x = 0; x < p.width; ++x) {
      const unsigned char* px = src + y * stride + x * 4;
      std::uint8_t* o = &p.rgba[(static_cast<std::size_t>(y) * p.width + x) * 4];
      const unsigned a = px[3];
      auto un = [&](unsigned c) { return static_cast<std::uint8_t>(a ? std::min(255u, (c * 255 + a / 2) / a) : 0); };
      o[0] = un(px[0]);  // B
      o[1] = un(px[1]);  // G
      o[2] = un(px[2]);  // R
      o[3] = static_cast<std::uint8_t>(a);
    }
  }
  cairo_surface_destroy(s);
  return p;
}

std::size_t encode(const Pixels& p, const Setting& st, float quality) {
  WebPConfig config;
  WebPConfigInit(&config);
  config.quality = quality;
  config.method = st.method;
  config.alpha_filtering = st.alpha_filtering;
  config.thread_level = st.thread_level;
  WebPPicture pic;
  WebPPictureInit(&pic);
  pic.use_argb = 1;
  pic.width = p.width;
  pic.height = p.height;
  WebPPictureImportBGRA(&pic, p.rgba.data(), p.width * 4);
  WebPMemoryWriter w;
  WebPMemoryWriterInit(&w);
  pic.writer = WebPMemoryWrite;
  pic.custom_ptr = &w;
  const bool ok = WebPEncode(&config, &pic);
  const std::size_t size = ok ? w.size : 0;
  WebPMemoryWriterClear(&w);
  WebPPictureFree(&pic);
  return size;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 3, per = 5;
  std::string style_id = "bench-reference";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    else if (a == "--per") per = std::atoi(argv[i + 1]);
    else if (a == "--style") style_id = argv[i + 1];
  }
  auto catalogue = stickerd::StyleCatalogue::load_dir(stickerd::default_styles_dir());
  if (!catalogue || !catalogue->find(style_id)) {
    fmt::print(stderr, "cannot load style {}\n", style_id);
    return 1;
  }
  stickerd::render::Renderer renderer;
  std::vector<Pixels> pixels;
  for (auto text : kTexts) {
    auto png = renderer.render(text, *catalogue->find(style_id), stickerd::v1::FORMAT_PNG,
                               stickerd::v1::PROFILE_TELEGRAM);
    if (!png) {
      fmt::print(stderr, "render failed: {}\n", png.error().message);
      return 1;
    }
    pixels.push_back(decode_png(png->data));
  }
  constexpr std::size_t kN = std::size(kSettings);
  std::array<std::vector<double>, kN> ms;
  std::array<std::array<std::size_t, 4>, kN> bytes{};
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t s = 0; s < kN; ++s) {  // interleaved: every setting each round
      for (int i = 0; i < per; ++i) {
        for (std::size_t t = 0; t < pixels.size(); ++t) {
          const auto t0 = Clock::now();
          bytes[s][t] = encode(pixels[t], kSettings[s], 80);
          ms[s].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
      }
    }
  }
  const double base = stickerd::bench::summarise(ms[0]).median;
  const double base_bytes = static_cast<double>(bytes[0][0] + bytes[0][1] + bytes[0][2] + bytes[0][3]);
  fmt::print("| setting (q80, style {}) | ms/encode median [IQR] | speed vs defaults | bytes 0/1/2/3 | bytes vs defaults |\n", style_id);
  fmt::print("|---|---|---|---|---|\n");
  for (std::size_t s = 0; s < kN; ++s) {
    const auto x = stickerd::bench::summarise(ms[s]);
    const double b = static_cast<double>(bytes[s][0] + bytes[s][1] + bytes[s][2] + bytes[s][3]);
    fmt::print("| {} | {:.1f} [{:.1f}–{:.1f}] | ×{:.2f} | {}/{}/{}/{} | {:+.1f} % |\n", kSettings[s].name, x.median,
               x.p25, x.p75, base / x.median, bytes[s][0], bytes[s][1], bytes[s][2], bytes[s][3],
               (b / base_bytes - 1) * 100);
  }
  return 0;
}
