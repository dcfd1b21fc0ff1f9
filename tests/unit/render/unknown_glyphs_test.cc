// Characters no font draws are refused with UNSUPPORTED_TEXT, never drawn as boxes.
#include <doctest/doctest.h>

#include "tests/unit/render/test_support.h"
#include "worker/encode/validator.h"
#include "worker/scene/unknown_glyphs.h"
#include "worker/sticker/renderer.h"

namespace stickerd::render {
namespace {

picture::PangoLayoutPtr laid_out(PangoContext* context, std::string_view text) {
  picture::PangoLayoutPtr layout(pango_layout_new(context));
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  picture::PangoFontDescriptionPtr desc(
      pango_font_description_from_string("DejaVu Sans Bold 40px"));
  pango_layout_set_font_description(layout.get(), desc.get());
  return layout;
}

}  // namespace

TEST_CASE("a text every font covers has no unknown glyphs") {
  picture::PangoFontMapPtr map(pango_cairo_font_map_new());
  picture::PangoContextPtr context(pango_font_map_create_context(map.get()));
  const UnknownGlyphs u = find_unknown_glyphs(laid_out(context.get(), "Hello Привет 你好 🎉").get());
  CHECK(u.count == 0);
  CHECK(u.first.empty());
}

TEST_CASE("unknown glyphs are mapped back to their code points, in order, without repeats") {
  picture::PangoFontMapPtr map(pango_cairo_font_map_new());
  picture::PangoContextPtr context(pango_font_map_create_context(map.get()));
  const UnknownGlyphs u = find_unknown_glyphs(
      laid_out(context.get(), "a \xEE\x80\x80 b \xF4\x8F\xBF\xBD \xEE\x80\x80").get());
  CHECK(u.count == 3);
  REQUIRE(u.first.size() == 2);
  CHECK(u.first[0] == 0xE000);
  CHECK(u.first[1] == 0x10FFFD);
  CHECK(describe_unknown(u) == "no font has U+E000, U+10FFFD (3 glyphs in all)");
}

TEST_CASE(
    "a private-use character and U+10FFFD are refused with UNSUPPORTED_TEXT in every format") {
  Renderer r;
  struct Case {
    const char* style;
    v1::Format format;
    v1::Profile profile;
  };
  for (const Case c : {Case{"classic", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM},
                       Case{"classic", v1::FORMAT_PNG, v1::PROFILE_TELEGRAM},
                       Case{"wave", v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP},
                       Case{"wave", v1::FORMAT_TGS, v1::PROFILE_TELEGRAM}}) {
    for (const auto& [text, named] :
         {std::pair<std::string, std::string>{"Hi \xEE\x80\x80", "U+E000"},
          {"\xF4\x8F\xBF\xBD", "U+10FFFD"}}) {
      CAPTURE(c.style);
      CAPTURE(c.format);
      CAPTURE(named);
      auto out = r.render(text, *test::source_catalogue().find(c.style), c.format, c.profile);
      REQUIRE_FALSE(out.ok());
      CHECK(out.error().code == v1::UNSUPPORTED_TEXT);
      CHECK_MESSAGE(out.error().message.find(named) != std::string::npos, out.error().message);
    }
  }
}

TEST_CASE("the validator refuses a sticker whose layout counted an unknown glyph") {
  CHECK_FALSE(encode::check_text(0).has_value());
  const auto refused = encode::check_text(2);
  REQUIRE(refused.has_value());
  CHECK(refused->find("box") != std::string::npos);
}

}  // namespace stickerd::render

namespace stickerd::render {

TEST_CASE("an emoji only the colour font has is refused for TGS and drawn for raster") {
  Renderer r;
  const v1::StyleSpec& wave = *test::source_catalogue().find("wave");
  // U+1FAE0 (melting face, Unicode 14): in Noto Color Emoji, not in Symbola.
  auto tgs = r.render("ok \xF0\x9F\xAB\xA0", wave, v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
  REQUIRE_FALSE(tgs.ok());
  CHECK(tgs.error().code == v1::UNSUPPORTED_TEXT);
  CHECK(tgs.error().message.find("U+1FAE0") != std::string::npos);
  auto webp =
      r.render("ok \xF0\x9F\xAB\xA0", test::classic(), v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM);
  CHECK_MESSAGE(webp.ok(), test::error_text(webp));
  // An emoji Symbola has still makes a TGS.
  auto party = r.render("ok \xF0\x9F\x8E\x89", wave, v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
  CHECK_MESSAGE(party.ok(), test::error_text(party));
}

}  // namespace stickerd::render
