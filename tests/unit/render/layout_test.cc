// Auto-fit: font size search, word wrapping and the room left for outlines.
#include <doctest/doctest.h>

#include "tests/unit/render/test_support.h"
#include "worker/scene/layout.h"

namespace stickerd::render {
namespace {

struct Pango {
  picture::PangoFontMapPtr map{pango_cairo_font_map_new()};
  picture::PangoContextPtr context{pango_font_map_create_context(map.get())};
};

FitBox box_472(std::uint32_t max_lines = 3, double outset = 8) {
  FitBox b;
  b.width = b.height = 472;
  b.outset = outset;
  b.max_lines = max_lines;
  return b;
}

FittedLayout fit(const Pango& p, std::string_view text, const FitBox& box) {
  auto r = fit_layout(p.context.get(), text, "DejaVu Sans Bold", box);
  REQUIRE_MESSAGE(r.ok(), test::error_text(r));
  return std::move(*r);
}

}  // namespace

TEST_CASE("the fitted text and its outline stay inside the box") {
  Pango p;
  for (std::string_view text :
       {"W", "Hello", "Привет, мир!", "stickerd is fast and it fits in three lines"}) {
    CAPTURE(text);
    const FittedLayout f = fit(p, text, box_472());
    CHECK(f.extent.width <= 472);
    CHECK(f.extent.height <= 472);
    CHECK(f.scale == 1);
    CHECK(f.line_count <= 3);
    // Tight: one pixel more would no longer fit, so one side nearly touches.
    CHECK(std::max(f.extent.width, f.extent.height) > 472 * 0.8);
  }
}

TEST_CASE("shorter text gets a larger font") {
  Pango p;
  CHECK(fit(p, "Hi", box_472()).font_px > fit(p, "Hello world", box_472()).font_px);
}

TEST_CASE("a sentence wraps at words and never breaks one") {
  Pango p;
  const FittedLayout f = fit(p, "The quick brown fox jumps over the lazy dog", box_472());
  CHECK_FALSE(f.words_broken);
  CHECK(f.line_count > 1);
  CHECK(f.line_count <= 3);
}

TEST_CASE("a single word too long for a line is broken inside rather than shrunk to dust") {
  Pango p;
  const FittedLayout f = fit(p, "Donaudampfschifffahrtsgesellschaftskapitänswitwe", box_472());
  CHECK(f.words_broken);
  CHECK(f.line_count > 1);
  CHECK(f.extent.width <= 472);
}

TEST_CASE("max_lines caps the number of lines") {
  Pango p;
  CHECK(fit(p, "one two three four five six", box_472(1)).line_count == 1);
}

TEST_CASE("a text too long for max_lines gets more lines rather than the smallest font") {
  Pango p;
  std::string text;
  while (text.size() < 600) text += "many small words ";
  const FittedLayout f = fit(p, text, box_472(1));
  CHECK(f.line_count > 1);
  CHECK(f.font_px > kMinFontPx);
  CHECK_FALSE(f.words_broken);
  CHECK(f.scale == 1);
}

TEST_CASE("a text too long for the canvas at the smallest font is scaled down instead of clipped") {
  Pango p;
  const std::string huge(30000, 'x');
  const FittedLayout f = fit(p, huge, box_472());
  CHECK(f.scale < 1);
  CHECK(f.extent.width * f.scale <= 472 + 1e-9);
  CHECK(f.extent.height * f.scale <= 472 + 1e-9);
}

TEST_CASE("text that is not UTF-8 or draws nothing is INVALID_ARGUMENT") {
  Pango p;
  for (std::string_view text :
       {std::string_view("\xff\xfe"), std::string_view("   "), std::string_view("")}) {
    auto r = fit_layout(p.context.get(), text, "DejaVu Sans Bold", box_472());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == v1::INVALID_ARGUMENT);
  }
}

}  // namespace stickerd::render

namespace stickerd::render {

TEST_CASE("a Korean sentence breaks between words, never inside one") {
  Pango p;
  const std::string text = "안녕하세요 세계 오늘은 날씨가 좋아요";
  const FittedLayout f = fit(p, text, box_472());
  REQUIRE(f.line_count > 1);
  for (int i = 1; i < f.line_count; ++i) {
    const int start = pango_layout_get_line_readonly(f.layout.get(), i)->start_index;
    CAPTURE(i);
    CHECK(text[static_cast<std::size_t>(start) - 1] == ' ');
  }
}

}  // namespace stickerd::render
