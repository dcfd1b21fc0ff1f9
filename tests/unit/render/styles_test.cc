// Every built-in style in every format it declares, over texts in several
// scripts: each file passes the platform validator; TGS files play in rlottie.
#include <doctest/doctest.h>
#include <rlottie.h>
#include <webp/demux.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "tests/unit/render/test_support.h"
#include "worker/encode/validator.h"
#include "worker/sticker/renderer.h"

namespace stickerd::render {
namespace {

const std::vector<std::string> kTexts = {
    "Hello",      "Привет, мир!",
    "🎉🔥",         "مرحبا بالعالم",
    "नमस्ते दुनिया", "This sentence is long enough for three lines",
    "W"};

v1::Profile profile_for(v1::Format f) {
  return f == v1::FORMAT_WEBP_ANIMATED ? v1::PROFILE_WHATSAPP : v1::PROFILE_TELEGRAM;
}

// Writes the file under $STICKERD_DUMP_DIR, when set, to look at by eye.
void dump(const std::string& name, const std::string& data) {
  if (const char* dir = std::getenv("STICKERD_DUMP_DIR"))
    std::ofstream(std::string(dir) + "/" + name) << data;
}

struct Frame {
  std::vector<std::uint32_t> argb;
  int inked() const {
    int n = 0;
    for (std::uint32_t p : argb) n += (p >> 24) != 0;
    return n;
  }
  bool touches_border() const {
    for (int i = 0; i < 512; ++i) {
      for (int at : {i, 511 * 512 + i, i * 512, i * 512 + 511}) {
        if ((argb[static_cast<std::size_t>(at)] >> 24) > 8) return true;
      }
    }
    return false;
  }
};

Frame play(rlottie::Animation& anim, std::size_t frame) {
  Frame f;
  f.argb.assign(512 * 512, 0);
  rlottie::Surface surface(f.argb.data(), 512, 512, 512 * 4);
  anim.renderSync(frame, surface);
  return f;
}

// rlottie's premultiplied ARGB is cairo's ARGB32, so cairo writes the PNG.
void dump_frame(const std::string& name, Frame& f) {
  const char* dir = std::getenv("STICKERD_DUMP_DIR");
  if (!dir) return;
  picture::CairoSurfacePtr s(cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(f.argb.data()), CAIRO_FORMAT_ARGB32, 512, 512, 512 * 4));
  cairo_surface_write_to_png(s.get(), (std::string(dir) + "/" + name).c_str());
}

std::unique_ptr<rlottie::Animation> load_tgs(const std::string& tgs, const std::string& key) {
  auto json = encode::gunzip(tgs);
  REQUIRE(json.has_value());
  auto anim = rlottie::Animation::loadFromData(*json, key, "", false);
  REQUIRE_MESSAGE(anim != nullptr, "rlottie cannot load the TGS");
  return anim;
}

constexpr int kMarginPx = 256;
constexpr int kPaddedPx = 512 + 2 * kMarginPx;

// The TGS's JSON on a canvas with a 256 px margin all round: its layer gets a
// null parent layer that moves it by the margin, so whatever it would draw
// outside the 512 px sticker lands in the margin instead of being clipped.
std::string with_margin(std::string json) {
  const std::string canvas = "\"w\":512,\"h\":512";
  const std::string layer = "\"layers\":[{\"ddd\":0,\"ind\":1,\"ty\":4,";
  const std::string end = "],\"tgs\":1}";
  const auto at_canvas = json.find(canvas);
  REQUIRE(at_canvas != std::string::npos);
  json.replace(at_canvas, canvas.size(), fmt::format("\"w\":{0},\"h\":{0}", kPaddedPx));
  const auto at_layer = json.find(layer);
  REQUIRE(at_layer != std::string::npos);
  json.insert(at_layer + layer.size(), "\"parent\":2,");
  REQUIRE(json.ends_with(end));
  json.insert(json.size() - end.size(),
              fmt::format(",{{\"ddd\":0,\"ind\":2,\"ty\":3,\"nm\":\"margin\",\"sr\":1,\"ks\":{{"
                          "\"o\":{{\"a\":0,\"k\":100}},"
                          "\"r\":{{\"a\":0,\"k\":0}},\"p\":{{\"a\":0,\"k\":[{0},{0},0]}},\"a\":{{"
                          "\"a\":0,\"k\":[0,0,0]}},"
                          "\"s\":{{\"a\":0,\"k\":[100,100,100]}}}},\"ao\":0,\"ip\":0,\"op\":100000,"
                          "\"st\":0,\"bm\":0}}",
                          kMarginPx));
  return json;
}

struct MarginCount {
  int inked = 0;    // pixels drawn
  int outside = 0;  // of those, pixels in the margin: outside the sticker
};

MarginCount count_margin(rlottie::Animation& padded, std::size_t frame) {
  std::vector<std::uint32_t> argb(static_cast<std::size_t>(kPaddedPx) * kPaddedPx, 0);
  rlottie::Surface surface(argb.data(), kPaddedPx, kPaddedPx, kPaddedPx * 4);
  padded.renderSync(frame, surface);
  MarginCount c;
  for (int y = 0; y < kPaddedPx; ++y) {
    for (int x = 0; x < kPaddedPx; ++x) {
      if ((argb[static_cast<std::size_t>(y) * kPaddedPx + x] >> 24) == 0) continue;
      ++c.inked;
      const bool inside =
          x >= kMarginPx && x < kMarginPx + 512 && y >= kMarginPx && y < kMarginPx + 512;
      c.outside += !inside;
    }
  }
  return c;
}

// Straight RGBA frames of an animated WebP.
std::vector<std::vector<std::uint8_t>> webp_frames(const std::string& data) {
  WebPData d{reinterpret_cast<const std::uint8_t*>(data.data()), data.size()};
  WebPAnimDecoderOptions o;
  WebPAnimDecoderOptionsInit(&o);
  o.color_mode = MODE_RGBA;
  WebPAnimDecoder* dec = WebPAnimDecoderNew(&d, &o);
  REQUIRE(dec != nullptr);
  std::vector<std::vector<std::uint8_t>> frames;
  while (WebPAnimDecoderHasMoreFrames(dec)) {
    std::uint8_t* buf = nullptr;
    int ts = 0;
    REQUIRE(WebPAnimDecoderGetNext(dec, &buf, &ts));
    frames.emplace_back(buf, buf + 512 * 512 * 4);
  }
  WebPAnimDecoderDelete(dec);
  return frames;
}

bool rgba_touches_border(const std::vector<std::uint8_t>& rgba) {
  for (int i = 0; i < 512; ++i) {
    for (int at : {i, 511 * 512 + i, i * 512, i * 512 + 511}) {
      if (rgba[static_cast<std::size_t>(at) * 4 + 3] > 8) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE(
    "the catalogue offers at least 24 styles and 10 animation types with TGS and animated WebP "
    "forms") {
  const auto& styles = test::source_catalogue().styles();
  CHECK(styles.size() >= 24);
  std::set<int> both;
  for (const auto& s : styles) {
    if (StyleCatalogue::supports(s, v1::FORMAT_TGS) &&
        StyleCatalogue::supports(s, v1::FORMAT_WEBP_ANIMATED)) {
      both.insert(s.animation().type());
    }
  }
  CHECK(both.size() >= 10);
  REQUIRE(test::source_catalogue().find("classic"));
  CHECK(test::source_catalogue().default_style_id() == "classic");
}

namespace {

// Checks one render: its size, the validator, and for a static WebP the
// WhatsApp form too; the file goes to $STICKERD_DUMP_DIR when set.
void check_renders(Renderer& r, const v1::StyleSpec& style, v1::Format format,
                   const std::string& text, std::size_t t) {
  CAPTURE(style.id());
  CAPTURE(v1::Format_Name(format));
  CAPTURE(text);
  auto out = r.render(text, style, format, profile_for(format));
  REQUIRE_MESSAGE(out.ok(), test::error_text(out));
  CHECK(out->width == 512);
  CHECK(out->height == 512);
  CHECK_FALSE(encode::check_sticker(out->data, format, profile_for(format)).has_value());
  if (format == v1::FORMAT_WEBP) {
    auto wa = r.render(text, style, format, v1::PROFILE_WHATSAPP);
    REQUIRE_MESSAGE(wa.ok(), test::error_text(wa));
    CHECK(wa->data.size() <= 100 * 1024);
    CHECK_FALSE(encode::check_sticker(wa->data, format, v1::PROFILE_WHATSAPP).has_value());
  }
  const char* ext = format == v1::FORMAT_TGS    ? "tgs"
                    : format == v1::FORMAT_PNG  ? "png"
                    : format == v1::FORMAT_WEBM ? "webm"
                                                : "webp";
  dump(fmt::format("{}-{}-{}.{}", style.id(), v1::Format_Name(format), t, ext), out->data);
}

}  // namespace

TEST_CASE(
    "every built-in style renders every still and TGS format it declares, and every file passes "
    "the validator") {
  Renderer r;
  for (const auto& style : test::source_catalogue().styles()) {
    for (int f : style.formats()) {
      const auto format = static_cast<v1::Format>(f);
      if (format == v1::FORMAT_WEBP_ANIMATED || format == v1::FORMAT_WEBM)
        continue;  // the next test, run on its own
      for (std::size_t t = 0; t < kTexts.size(); ++t) check_renders(r, style, format, kTexts[t], t);
    }
  }
}

namespace {

// A colour cycle recolours letters but not colour emoji, so for an
// emoji-only text every frame of rainbow-pastel is the same picture.
bool frames_all_alike(const v1::StyleSpec& style, const std::string& text) {
  return style.id() == "rainbow-pastel" && text == "🎉🔥";
}

}  // namespace

// Animated WebP encodes take seconds each, so meson runs this case as its own
// test (unit / render-animated) beside the rest of unit_render. The whole
// matrix (every style, format and text) took 4 of CI's 30 minutes of CPU, so
// by default each style and format renders 3 of the 7 texts, turning by
// style so that every text meets every format in several styles;
// STICKERD_FULL_MATRIX=1 renders them all (worth it after a change to the
// animation or encoding code).
TEST_CASE(
    "every animated style renders an animated WebP and a WEBM for test texts, and every file "
    "passes the validator") {
  const bool full = std::getenv("STICKERD_FULL_MATRIX") != nullptr;
  constexpr std::size_t kTextsPerStyle = 3;
  Renderer r;
  std::size_t turn = 0;
  for (const auto& style : test::source_catalogue().styles()) {
    for (auto format : {v1::FORMAT_WEBP_ANIMATED, v1::FORMAT_WEBM}) {
      if (!StyleCatalogue::supports(style, format)) continue;
      for (std::size_t t = 0; t < kTexts.size(); ++t) {
        if (full || (t + kTexts.size() - turn % kTexts.size()) % kTexts.size() < kTextsPerStyle)
          check_renders(r, style, format, kTexts[t], t);
      }
    }
    ++turn;
  }
}

// WebPAnimEncoder folds identical frames into one and writes a lone frame as a
// still WebP; the encoder must wrap it back into an animation.
TEST_CASE("an animation whose frames all look alike still gives an animated WebP") {
  Renderer r;
  const v1::StyleSpec& style = *test::source_catalogue().find("rainbow-pastel");
  REQUIRE(frames_all_alike(style, "🎉🔥"));
  check_renders(r, style, v1::FORMAT_WEBP_ANIMATED, "🎉🔥", 2);
}

TEST_CASE("TGS files play in rlottie with the text inside the canvas, and animated ones move") {
  Renderer r;
  for (const auto& style : test::source_catalogue().styles()) {
    if (!StyleCatalogue::supports(style, v1::FORMAT_TGS)) continue;
    // "🎉" alone: emoji must come out as vector outlines, not be dropped.
    for (const std::string text : {"Привет, мир!", "🎉 Hi", "🎉"}) {
      CAPTURE(style.id());
      CAPTURE(text);
      auto out = r.render(text, style, v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
      REQUIRE_MESSAGE(out.ok(), test::error_text(out));
      auto anim = load_tgs(out->data, style.id() + text);
      const std::size_t frames = anim->totalFrame();
      CHECK(frames == out->frame_count);
      CHECK(anim->frameRate() == doctest::Approx(60));
      Frame first = play(*anim, 0);
      Frame middle = play(*anim, frames / 2);
      dump_frame(fmt::format("rlottie-{}-{}-0.png", style.id(), text.size()), first);
      dump_frame(fmt::format("rlottie-{}-{}-mid.png", style.id(), text.size()), middle);
      CHECK(first.inked() > 2000);
      CHECK(middle.inked() > 500);  // a typewriter may show only part of the text mid-loop
      CHECK_FALSE(first.touches_border());
      auto json = encode::gunzip(out->data);
      REQUIRE(json.has_value());
      auto padded = rlottie::Animation::loadFromData(with_margin(*json),
                                                     style.id() + text + " margin", "", false);
      REQUIRE_MESSAGE(padded != nullptr, "rlottie cannot load the TGS with a margin");
      // The margin copy draws the same sticker, only moved.
      CHECK(count_margin(*padded, 0).inked == doctest::Approx(first.inked()).epsilon(0.01));
      bool moved = false;
      int outside = 0;
      for (std::size_t i = 0; i < frames; i += 5) {
        const Frame f = play(*anim, i);
        moved |= f.argb != first.argb;
        outside += count_margin(*padded, i).outside;
      }
      CHECK(outside == 0);
      if (style.has_animation()) CHECK(moved);
    }
  }
}

TEST_CASE("a neon flicker dims the TGS glow along with the text, as the raster form does") {
  Renderer r;
  const v1::StyleSpec& style = *test::source_catalogue().find("neon");
  const std::string text = "Neon";
  std::vector<FrameLook> looks;
  REQUIRE(r.build_scene(text, style, true, looks).ok());
  std::size_t dim = 0;  // the first frame where the glow drops
  for (std::size_t i = 1; i < looks.size() && dim == 0; ++i) {
    if (looks[i].glow_opacity < 1) dim = i;
  }
  REQUIRE(dim > 0);
  auto out = r.render(text, style, v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
  REQUIRE_MESSAGE(out.ok(), test::error_text(out));
  auto anim = load_tgs(out->data, "neon-glow-flicker");
  // Flicker keyframes hold, so one Lottie frame past the key shows that look.
  const Frame lit = play(*anim, 0);
  const Frame dimmed = play(
      *anim, static_cast<std::size_t>(std::lround(dim * timing(style).frame_ms * 60 / 1000.0)) + 1);
  // How much alpha is left in the opaque letters and in the glow-only halo.
  double core_lit = 0, core_dim = 0, halo_lit = 0, halo_dim = 0;
  for (std::size_t i = 0; i < lit.argb.size(); ++i) {
    const double a = lit.argb[i] >> 24, b = dimmed.argb[i] >> 24;
    if (a == 255) {
      core_lit += a;
      core_dim += b;
    } else if (a > 0 && a < 160) {
      halo_lit += a;
      halo_dim += b;
    }
  }
  REQUIRE(core_lit > 0);
  REQUIRE(halo_lit > 0);
  const double core = core_dim / core_lit, halo = halo_dim / halo_lit;
  CAPTURE(core);
  CAPTURE(halo);
  CHECK(core < 1);           // the whole text flickers
  CHECK(halo < 0.6 * core);  // and its glow drops further
}

TEST_CASE("the same text and style give the same bytes, animated and TGS alike") {
  Renderer a;
  Renderer b;
  for (const char* id : {"shake", "glitch"}) {
    const v1::StyleSpec& style = *test::source_catalogue().find(id);
    for (auto format : {v1::FORMAT_TGS, v1::FORMAT_WEBP_ANIMATED}) {
      CAPTURE(id);
      auto one = a.render("Привет 🎉", style, format, profile_for(format));
      auto two = b.render("Привет 🎉", style, format, profile_for(format));
      REQUIRE(one.ok());
      REQUIRE(two.ok());
      CHECK(one->data == two->data);
    }
  }
}

TEST_CASE(
    "the longest allowed text and a single wide glyph keep every animated frame inside the "
    "canvas") {
  Renderer r;
  const std::string longest = test::longest_allowed_text();
  for (const char* id : {"zoom-pop", "swing"}) {
    for (const std::string& text : {longest, std::string("W")}) {
      CAPTURE(id);
      CAPTURE(text.size());
      auto out = r.render(text, *test::source_catalogue().find(id), v1::FORMAT_WEBP_ANIMATED,
                          v1::PROFILE_WHATSAPP);
      REQUIRE_MESSAGE(out.ok(), test::error_text(out));
      const auto frames = webp_frames(out->data);
      REQUIRE(frames.size() >= 2);
      for (const auto& f : frames) CHECK_FALSE(rgba_touches_border(f));
    }
  }
}

TEST_CASE("the validator names the broken rule") {
  CHECK(encode::check_sticker("not a file", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM) ==
        "not a WebP file");
  CHECK(encode::check_sticker("not a file", v1::FORMAT_TGS, v1::PROFILE_TELEGRAM) ==
        "a TGS must be gzip-compressed");
  CHECK(encode::check_sticker(std::string(600 * 1024, 'x'), v1::FORMAT_PNG, v1::PROFILE_TELEGRAM)
            ->find("over the 524288 byte cap") != std::string::npos);
}

}  // namespace stickerd::render

namespace stickerd::render {

TEST_CASE("the first frame of an animated WebP shows the whole text, as WhatsApp requires") {
  Renderer r;
  for (const char* id : {"typewriter", "neon"}) {
    CAPTURE(id);
    v1::StyleSpec style = *test::source_catalogue().find(id);
    style.add_formats(v1::FORMAT_WEBP);  // the still is frame 0 drawn alone
    auto anim = r.render("Привет, мир!", style, v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP);
    auto still = r.render("Привет, мир!", style, v1::FORMAT_WEBP, v1::PROFILE_NONE);
    REQUIRE(anim.ok());
    REQUIRE(still.ok());
    auto inked = [](const std::vector<std::uint8_t>& rgba) {
      int n = 0;
      for (std::size_t i = 3; i < rgba.size(); i += 4) n += rgba[i] > 128;
      return n;
    };
    const int first = inked(webp_frames(anim->data).front());
    const int whole = inked(test::decode_webp(still->data).rgba);
    CHECK(first == doctest::Approx(whole).epsilon(0.03));
  }
}

}  // namespace stickerd::render
