// Every built-in style in every format it declares, over texts in several
// scripts: each file passes the platform validator; TGS files play in rlottie.
#include <doctest/doctest.h>
#include <rlottie.h>
#include <webp/demux.h>

#include <cstdlib>
#include <fstream>

#include "tests/unit/render/test_support.h"
#include "worker/encode/validator.h"
#include "worker/render/renderer.h"

namespace stickerd::render {
namespace {

const std::vector<std::string> kTexts = {
    "Hello", "Привет, мир!", "🎉🔥", "مرحبا بالعالم", "नमस्ते दुनिया", "This sentence is long enough for three lines", "W"};
// Animated WebP encodes take ~0.5 s, so each style gets one non-Latin text, rotating.
const std::vector<std::string> kAnimatedTexts = {"Привет, мир!", "مرحبا بالعالم", "नमस्ते दुनिया", "🎉🔥 Party"};

v1::Profile profile_for(v1::Format f) {
  return f == v1::FORMAT_WEBP_ANIMATED ? v1::PROFILE_WHATSAPP : v1::PROFILE_TELEGRAM;
}

// Writes the file under $STICKERD_DUMP_DIR, when set, to look at by eye.
void dump(const std::string& name, const std::string& data) {
  if (const char* dir = std::getenv("STICKERD_DUMP_DIR")) std::ofstream(std::string(dir) + "/" + name) << data;
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
  CairoSurfacePtr s(cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(f.argb.data()),
                                                        CAIRO_FORMAT_ARGB32, 512, 512, 512 * 4));
  cairo_surface_write_to_png(s.get(), (std::string(dir) + "/" + name).c_str());
}

std::unique_ptr<rlottie::Animation> load_tgs(const std::string& tgs, const std::string& key) {
  auto json = encode::gunzip(tgs);
  REQUIRE(json.has_value());
  auto anim = rlottie::Animation::loadFromData(*json, key, "", false);
  REQUIRE_MESSAGE(anim != nullptr, "rlottie cannot load the TGS");
  return anim;
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

TEST_CASE("the catalogue offers at least 24 styles and 10 animation types with TGS and animated WebP forms") {
  const auto& styles = test::source_catalogue().styles();
  CHECK(styles.size() >= 24);
  std::set<int> both;
  for (const auto& s : styles) {
    if (StyleCatalogue::supports(s, v1::FORMAT_TGS) && StyleCatalogue::supports(s, v1::FORMAT_WEBP_ANIMATED)) {
      both.insert(s.animation().type());
    }
  }
  CHECK(both.size() >= 10);
  REQUIRE(test::source_catalogue().find("classic"));
  CHECK(test::source_catalogue().default_style_id() == "classic");
}

TEST_CASE("every built-in style renders every format it declares, and every file passes the validator") {
  Renderer r;
  std::size_t style_index = 0;
  for (const auto& style : test::source_catalogue().styles()) {
    for (int f : style.formats()) {
      const auto format = static_cast<v1::Format>(f);
      const bool slow = format == v1::FORMAT_WEBP_ANIMATED;
      std::vector<std::string> texts = kTexts;
      if (slow) texts = {kAnimatedTexts[style_index % kAnimatedTexts.size()]};
      for (std::size_t t = 0; t < texts.size(); ++t) {
        CAPTURE(style.id());
        CAPTURE(v1::Format_Name(format));
        CAPTURE(texts[t]);
        auto out = r.render(texts[t], style, format, profile_for(format));
        REQUIRE_MESSAGE(out.ok(), fmt::format("{}", out.error()));
        CHECK(out->width == 512);
        CHECK(out->height == 512);
        CHECK_FALSE(encode::check_sticker(out->data, format, profile_for(format)).has_value());
        if (format == v1::FORMAT_WEBP) {
          auto wa = r.render(texts[t], style, format, v1::PROFILE_WHATSAPP);
          REQUIRE_MESSAGE(wa.ok(), fmt::format("{}", wa.error()));
          CHECK(wa->data.size() <= 100 * 1024);
        }
        const char* ext = format == v1::FORMAT_TGS ? "tgs" : format == v1::FORMAT_PNG ? "png" : "webp";
        dump(fmt::format("{}-{}-{}.{}", style.id(), v1::Format_Name(format), t, ext), out->data);
      }
    }
    ++style_index;
  }
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
      REQUIRE_MESSAGE(out.ok(), fmt::format("{}", out.error()));
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
      bool moved = false, escaped = false;
      for (std::size_t i = 0; i < frames; i += 5) {
        const Frame f = play(*anim, i);
        moved |= f.argb != first.argb;
        escaped |= f.touches_border();
      }
      CHECK_FALSE(escaped);
      if (style.has_animation()) CHECK(moved);
    }
  }
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

TEST_CASE("the longest allowed text and a single wide glyph keep every animated frame inside the canvas") {
  Renderer r;
  std::string longest;
  while (g_utf8_strlen(longest.c_str(), -1) < 300) longest += "Съешь же ещё этих булок. ";
  // 256 code points.
  const char* p = longest.c_str();
  for (int i = 0; i < 256; ++i) p = g_utf8_next_char(p);
  longest.resize(static_cast<std::size_t>(p - longest.c_str()));
  for (const char* id : {"zoom-pop", "swing"}) {
    for (const std::string& text : {longest, std::string("W")}) {
      CAPTURE(id);
      CAPTURE(text.size());
      auto out = r.render(text, *test::source_catalogue().find(id), v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP);
      REQUIRE_MESSAGE(out.ok(), fmt::format("{}", out.error()));
      const auto frames = webp_frames(out->data);
      REQUIRE(frames.size() >= 2);
      for (const auto& f : frames) CHECK_FALSE(rgba_touches_border(f));
    }
  }
}

TEST_CASE("the validator names the broken rule") {
  CHECK(encode::check_sticker("not a file", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM) == "not a WebP file");
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
