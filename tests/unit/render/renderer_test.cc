// The renderer end to end: decoded output, fitting inside the padding, colour
// emoji, formats and profiles, determinism.
#include <doctest/doctest.h>

#include "tests/unit/render/test_support.h"
#include "worker/sticker/renderer.h"

namespace stickerd::render {
namespace {

using test::classic;
using test::decode_webp;

RenderedSticker render_ok(Renderer& r, std::string_view text,
                          const v1::StyleSpec& style = classic(),
                          v1::Format format = v1::FORMAT_WEBP) {
  auto out = r.render(text, style, format, v1::PROFILE_TELEGRAM);
  REQUIRE_MESSAGE(out.ok(), test::error_text(out));
  return std::move(*out);
}

// Every pixel closer to the edge than the style's padding is fully transparent.
void check_inside_padding(const test::Image& img, int padding) {
  const auto b = img.ink_bounds();
  REQUIRE(b.right >= 0);  // something was drawn
  CHECK(b.left >= padding);
  CHECK(b.top >= padding);
  CHECK(b.right < img.width - padding);
  CHECK(b.bottom < img.height - padding);
  // The fit is tight: the drawing reaches near the padding on some side.
  const int slack = std::min({b.left, b.top, img.width - 1 - b.right, img.height - 1 - b.bottom});
  CHECK(slack <= padding + 12);
}

}  // namespace

TEST_CASE(
    "a Cyrillic text with an emoji renders to a 512x512 WebP, transparent at the corners, solid in "
    "the centre") {
  Renderer r;
  const RenderedSticker s = render_ok(r, "Привет, мир! 🎉");
  CHECK(s.format == v1::FORMAT_WEBP);
  CHECK(s.mime_type == "image/webp");
  CHECK(s.width == 512);
  CHECK(s.height == 512);
  CHECK(s.frame_count == 1);
  CHECK(s.quality == 80);
  CHECK(s.data.size() <= kTelegramMaxBytes);
  const test::Image img = decode_webp(s.data);
  REQUIRE(img.width == 512);
  REQUIRE(img.height == 512);
  for (auto [x, y] : {std::pair{0, 0}, {511, 0}, {0, 511}, {511, 511}}) CHECK(img.alpha(x, y) == 0);
  int opaque_near_centre = 0;
  for (int y = 216; y < 296; ++y)
    for (int x = 216; x < 296; ++x) opaque_near_centre += img.alpha(x, y) == 255;
  CHECK(opaque_near_centre > 80 * 80 / 4);
}

TEST_CASE("a colour emoji keeps its own colours inside the gradient text") {
  // classic's fill is yellow to orange (red channel always highest) and its
  // outline black, so a clearly blue or green pixel can only come from the emoji.
  Renderer r;
  const test::Image img = decode_webp(render_ok(r, "Привет, мир! 🎉").data);
  int emoji_coloured = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const std::uint8_t* p = img.at(x, y);
      if (p[3] == 255 && (p[2] > p[0] + 60 || p[1] > p[0] + 60)) ++emoji_coloured;
    }
  }
  CHECK(emoji_coloured > 200);
}

TEST_CASE("every text keeps all its ink inside the padding") {
  Renderer r;
  const int padding = static_cast<int>(classic().padding());
  SUBCASE("a three-line sentence") {
    check_inside_padding(
        decode_webp(render_ok(r, "This sentence is long enough for three lines").data), padding);
  }
  SUBCASE("the longest allowed text, 256 code points") {
    check_inside_padding(decode_webp(render_ok(r, test::longest_allowed_text()).data), padding);
  }
  SUBCASE("a single wide Latin glyph") {
    check_inside_padding(decode_webp(render_ok(r, "W").data), padding);
  }
  SUBCASE("a single wide Cyrillic glyph") {
    check_inside_padding(decode_webp(render_ok(r, "Ш").data), padding);
  }
  SUBCASE("a style with a shadow and two outlines") {
    v1::StyleSpec style = classic();
    style.mutable_shadow()->set_color("#00000080");
    style.mutable_shadow()->set_dx(10);
    style.mutable_shadow()->set_dy(14);
    auto* inner = style.add_outlines();
    inner->set_color("#FFFFFF");
    inner->set_width(6);
    check_inside_padding(decode_webp(render_ok(r, "Shadow", style).data), padding);
  }
}

TEST_CASE("the same input gives the same bytes") {
  Renderer a;
  Renderer b;
  const std::string first = render_ok(a, "Привет, мир! 🎉").data;
  render_ok(a, "something else in between");
  CHECK(render_ok(a, "Привет, мир! 🎉").data == first);
  CHECK(render_ok(b, "Привет, мир! 🎉").data == first);
}

TEST_CASE(
    "a spare core changes how fast, not what: the same bytes with a second encoder and drawing "
    "thread") {
  Renderer r;
  const RenderOptions spare{.spare_core = true};
  for (const char* id : {"classic", "bench-reference"}) {
    CAPTURE(id);
    const v1::StyleSpec& style = *test::source_catalogue().find(id);
    auto alone = r.render("Привет, мир! 🎉", style, v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM);
    auto shared = r.render("Привет, мир! 🎉", style, v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, spare);
    REQUIRE(alone.ok());
    REQUIRE(shared.ok());
    CHECK(shared->data == alone->data);
  }
  // Animated: frames drawn ahead on a thread of their own, including the
  // longest reference text, whose first encoding is over WhatsApp's cap and
  // is coded again from the kept frames.
  const v1::StyleSpec& bounce = *test::source_catalogue().find("bench-reference-bounce");
  for (const char* text : {"Hello", "Animated Sticker Bot 🎉"}) {
    CAPTURE(text);
    auto alone = r.render(text, bounce, v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP);
    auto shared = r.render(text, bounce, v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP, spare);
    REQUIRE_MESSAGE(alone.ok(), test::error_text(alone));
    REQUIRE_MESSAGE(shared.ok(), test::error_text(shared));
    CHECK(shared->frame_count == 30);
    CHECK(shared->data == alone->data);
  }
}

TEST_CASE("an unspecified format gives the style's default, and PNG is offered too") {
  Renderer r;
  auto webp = r.render("Hi", classic(), v1::FORMAT_UNSPECIFIED, v1::PROFILE_UNSPECIFIED);
  REQUIRE(webp.ok());
  CHECK(webp->format == v1::FORMAT_WEBP);
  CHECK(webp->data.substr(0, 4) == "RIFF");
  CHECK(webp->data.substr(8, 4) == "WEBP");
  const RenderedSticker png = render_ok(r, "Hi", classic(), v1::FORMAT_PNG);
  CHECK(png.mime_type == "image/png");
  CHECK(png.data.substr(0, 8) == "\x89PNG\r\n\x1a\n");
}

TEST_CASE(
    "a static WebP for WhatsApp is 512x512 and at most 100 KB, and the web profile has no cap") {
  Renderer r;
  for (v1::Profile p : {v1::PROFILE_WHATSAPP, v1::PROFILE_NONE}) {
    auto out = r.render("Привет, мир! 🎉", classic(), v1::FORMAT_WEBP, p);
    REQUIRE(out.ok());
    const test::Image img = decode_webp(out->data);
    CHECK(img.width == 512);
    CHECK(img.height == 512);
    if (p == v1::PROFILE_WHATSAPP) CHECK(out->data.size() <= 100 * 1024);
  }
}

TEST_CASE("formats and profiles the renderer or the style cannot give are INVALID_ARGUMENT") {
  Renderer r;
  SUBCASE("a format the style does not declare") {
    auto out = r.render("Hi", classic(), v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code == v1::INVALID_ARGUMENT);
    CHECK(out.error().message == "style classic does not offer format tgs");
  }
  SUBCASE("an animated WebP for Telegram, which does not animate WebP") {
    v1::StyleSpec style = classic();
    style.add_formats(v1::FORMAT_WEBP_ANIMATED);
    style.mutable_animation()->set_type(v1::ANIMATION_PULSE);
    auto out = r.render("Hi", style, v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_TELEGRAM);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code == v1::INVALID_ARGUMENT);
    CHECK(out.error().message ==
          "Telegram does not animate WebP stickers; ask for format tgs or webm for an animated "
          "Telegram sticker");
  }
  SUBCASE("an animated WebP from a style without an animation") {
    v1::StyleSpec style = classic();
    style.add_formats(v1::FORMAT_WEBP_ANIMATED);
    auto out = r.render("Hi", style, v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().message == "style classic has no animation for format webp_animated");
  }
  SUBCASE("a PNG for WhatsApp, whose stickers are WebP") {
    auto out = r.render("Hi", classic(), v1::FORMAT_PNG, v1::PROFILE_WHATSAPP);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code == v1::INVALID_ARGUMENT);
  }
  SUBCASE("empty text") {
    auto out = r.render("", classic(), v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code == v1::INVALID_ARGUMENT);
  }
}

}  // namespace stickerd::render
