// Golden tests: a few styles rendered in-process, decoded as their platform
// would, halved to 256 px and compared with the references in tests/golden/
// within the tolerance of image_compare.h. tests/golden/README.md says how to
// refresh the references after an intended change.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/unit/golden/image_compare.h"
#include "tests/unit/golden/sticker_frame.h"
#include "tests/unit/render/test_support.h"
#include "worker/sticker/renderer.h"

namespace stickerd::golden {
namespace {

struct GoldenCase {
  const char* name;  // the reference is tests/golden/<name>.png
  const char* style;
  const char* text;
  v1::Format format;
  v1::Profile profile;
  std::size_t frame;
};

// Each case pins an effect or a path: colour emoji, glow, extrusion, bubble
// with shadow, a per-letter colour cycle mid-loop, right-to-left shaping, and
// TGS (vector glyphs, outline emoji, keyframed wave) played back by rlottie.
const GoldenCase kCases[] = {
    {"classic-webp", "classic", "Привет 🎉 Hi", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, 0},
    {"glow-png", "glow", "Glow", v1::FORMAT_PNG, v1::PROFILE_TELEGRAM, 0},
    {"retro-3d-webp", "retro-3d", "Retro 3D", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, 0},
    {"bubble-png", "bubble", "Bubble", v1::FORMAT_PNG, v1::PROFILE_TELEGRAM, 0},
    {"rainbow-animated-frame15", "rainbow", "Rainbow", v1::FORMAT_WEBP_ANIMATED,
     v1::PROFILE_WHATSAPP, 15},
    {"sticker-white-arabic-webp", "sticker-white", "مرحبا بالعالم", v1::FORMAT_WEBP,
     v1::PROFILE_TELEGRAM, 0},
    {"wave-tgs-frame45", "wave", "Wave Привет 🎉", v1::FORMAT_TGS, v1::PROFILE_TELEGRAM, 45},
    {"neon-tgs-frame0", "neon", "Neon", v1::FORMAT_TGS, v1::PROFILE_TELEGRAM, 0},
    // Scripts beyond Latin, Cyrillic and Arabic, from the font set (styles/fonts.json).
    {"classic-japanese-webp", "classic", "こんにちは 日本語", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM,
     0},
    {"classic-devanagari-webp", "classic", "नमस्ते दुनिया", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, 0},
    {"sticker-white-thai-webp", "sticker-white", "สวัสดีชาวโลก", v1::FORMAT_WEBP,
     v1::PROFILE_TELEGRAM, 0},
    {"wave-korean-tgs-frame0", "wave", "안녕하세요 세계", v1::FORMAT_TGS, v1::PROFILE_TELEGRAM, 0},
};

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string golden_dir() { return env_or("STICKERD_GOLDEN_DIR", "tests/golden"); }

bool updating() { return env_or("STICKERD_UPDATE_GOLDEN", "0") == "1"; }

// The case rendered, decoded and halved: what is compared with the reference.
ArgbImage render_case(render::Renderer& renderer, const GoldenCase& c) {
  const v1::StyleSpec* style = test::source_catalogue().find(c.style);
  REQUIRE(style != nullptr);
  auto out = renderer.render(c.text, *style, c.format, c.profile);
  REQUIRE_MESSAGE(out.ok(), test::error_text(out));
  auto frame = sticker_frame(out->data, c.format, c.frame);
  REQUIRE_MESSAGE(frame.has_value(), "the rendered file does not decode");
  REQUIRE(frame->width == render::kCanvasPx);
  REQUIRE(frame->height == render::kCanvasPx);
  return half_size(*frame);
}

ArgbImage reference(const GoldenCase& c) {
  const std::string path = golden_dir() + "/" + c.name + ".png";
  auto image = read_png(path);
  REQUIRE_MESSAGE(image.has_value(), path, " is missing or not a PNG; see tests/golden/README.md");
  return std::move(*image);
}

// A copy moved right and down by (dx, dy), transparent where it uncovers.
ArgbImage moved(const ArgbImage& image, int dx, int dy) {
  ArgbImage out{image.width, image.height, std::vector<std::uint32_t>(image.pixels.size(), 0)};
  for (int y = dy; y < image.height; ++y) {
    for (int x = dx; x < image.width; ++x) {
      out.pixels[static_cast<std::size_t>(y) * image.width + x] = image.at(x - dx, y - dy);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("rendered stickers match their golden references") {
  render::Renderer renderer;
  for (const GoldenCase& c : kCases) {
    CAPTURE(c.name);
    const ArgbImage actual = render_case(renderer, c);
    if (updating()) {
      const std::string path = golden_dir() + "/" + c.name + ".png";
      REQUIRE_MESSAGE(write_png(actual, path), "cannot write ", path);
      MESSAGE("wrote ", path);
      continue;
    }
    const ArgbImage expected = reference(c);
    REQUIRE(expected.width == actual.width);
    REQUIRE(expected.height == actual.height);
    const Difference d = compare(actual, expected);
    if (!d.within_tolerance()) {
      // Leave the actual picture next to the test to look at.
      const std::string path =
          env_or("STICKERD_GOLDEN_ACTUAL_DIR", ".") + "/" + c.name + ".actual.png";
      write_png(actual, path);
      FAIL_CHECK(c.name, ": ", d.describe(), "; the rendered picture is in ", path);
    }
  }
}

TEST_CASE("the golden tolerance passes small noise and fails a 2 px move or a wrong colour") {
  if (updating()) return;  // the references are being rewritten
  render::Renderer renderer;
  const GoldenCase& classic = kCases[0];
  const ArgbImage expected = reference(classic);
  const ArgbImage actual = render_case(renderer, classic);

  SUBCASE("noise of a few levels on every channel passes") {
    ArgbImage noisy = actual;
    for (std::size_t i = 0; i < noisy.pixels.size(); ++i) {
      const std::uint32_t a = noisy.pixels[i] >> 24;
      if (a < 8) continue;  // keep the premultiplied invariant (colour <= alpha)
      const std::uint32_t delta = (i % 3) + 1;
      std::uint32_t p = a << 24;
      for (int shift = 0; shift < 24; shift += 8) {
        const std::uint32_t c = noisy.pixels[i] >> shift & 0xff;
        p |= (c >= delta ? c - delta : c) << shift;
      }
      noisy.pixels[i] = p;
    }
    const Difference d = compare(noisy, expected);
    CHECK_MESSAGE(d.within_tolerance(), d.describe());
  }
  SUBCASE("the text moved by 2 px of the 512 px sticker (1 px here) fails") {
    for (const Difference& d :
         {compare(moved(actual, 1, 0), expected), compare(moved(actual, 0, 1), expected)}) {
      CHECK_FALSE_MESSAGE(d.within_tolerance(), d.describe());
    }
  }
  SUBCASE("red and blue swapped fails") {
    ArgbImage swapped = actual;
    for (std::uint32_t& p : swapped.pixels)
      p = (p & 0xff00ff00u) | (p >> 16 & 0xff) | (p & 0xff) << 16;
    const Difference d = compare(swapped, expected);
    CHECK_FALSE_MESSAGE(d.within_tolerance(), d.describe());
  }
}

}  // namespace stickerd::golden
