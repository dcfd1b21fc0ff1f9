// Telegram custom emoji (PROFILE_TELEGRAM_EMOJI): WebP, PNG and WEBM exactly
// 100x100 with the text fitted to that size, TGS on its 512 canvas, and the
// validator's emoji rules.
#include <doctest/doctest.h>

#include <algorithm>

#include "test_support.h"
#include "worker/encode/validator.h"
#include "worker/encode/webm_reader.h"
#include "worker/sticker/emoji_style.h"
#include "worker/sticker/renderer.h"

using namespace stickerd;
using namespace stickerd::render;

namespace {

const v1::StyleSpec& style(const char* id) { return *test::source_catalogue().find(id); }

RenderedSticker emoji(Renderer& r, const char* style_id, v1::Format format) {
  auto out = r.render("Hi 🎉", style(style_id), format, v1::PROFILE_TELEGRAM_EMOJI);
  REQUIRE_MESSAGE(out.ok(), test::error_text(out));
  return std::move(*out);
}

std::string refusal(const std::string& bytes, v1::Format format, v1::Profile profile) {
  return encode::check_sticker(bytes, format, profile).value_or("");
}

}  // namespace

TEST_CASE("an emoji's style keeps at most two lines and outlines twice as wide") {
  v1::StyleSpec s = style("classic");
  s.set_max_lines(6);
  s.mutable_bubble()->mutable_outline()->set_width(3);
  const v1::StyleSpec e = emoji_style(s);
  CHECK(e.max_lines() == kEmojiMaxLines);
  REQUIRE(e.outlines_size() == s.outlines_size());
  CHECK(e.outlines(0).width() == doctest::Approx(2 * s.outlines(0).width()));
  CHECK(e.bubble().outline().width() == doctest::Approx(6));
  s.set_max_lines(0);  // the layout's default, 3
  CHECK(emoji_style(s).max_lines() == kEmojiMaxLines);
  s.set_max_lines(1);
  CHECK(emoji_style(s).max_lines() == 1);
}

TEST_CASE("a long text as an emoji is laid out in fewer lines than as a sticker") {
  Renderer r;
  const std::string text = "stickerd renders text stickers for chat bots";
  std::vector<FrameLook> looks;
  auto sticker = r.build_scene(text, style("classic"), false, looks);
  REQUIRE_MESSAGE(sticker.ok(), test::error_text(sticker));
  auto small = r.build_scene(text, emoji_style(style("classic")), false, looks);
  REQUIRE_MESSAGE(small.ok(), test::error_text(small));
  CHECK(small->fitted.line_count <= 2);
  CHECK(small->fitted.line_count < sticker->fitted.line_count);
}

TEST_CASE("telegram-emoji WebP and PNG are exactly 100x100 and pass the emoji rules") {
  Renderer r;
  const RenderedSticker webp = emoji(r, "classic", v1::FORMAT_WEBP);
  CHECK(webp.width == 100);
  CHECK(webp.height == 100);
  const test::Image image = test::decode_webp(webp.data);
  CHECK(image.width == 100);
  CHECK(image.height == 100);
  const test::Image::Bounds ink = image.ink_bounds();
  // The text fills the emoji, padding aside ("Hi" over the emoji: its height).
  CHECK(std::max(ink.right - ink.left, ink.bottom - ink.top) >= 80);
  CHECK(refusal(webp.data, v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM_EMOJI) == "");
  CHECK(refusal(webp.data, v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM).find("512") != std::string::npos);

  const RenderedSticker png = emoji(r, "classic", v1::FORMAT_PNG);
  CHECK(png.width == 100);
  CHECK(refusal(png.data, v1::FORMAT_PNG, v1::PROFILE_TELEGRAM_EMOJI) == "");
  // A sticker-sized PNG is no custom emoji.
  auto big = r.render("Hi", style("classic"), v1::FORMAT_PNG, v1::PROFILE_TELEGRAM);
  REQUIRE(big.ok());
  CHECK(refusal(big->data, v1::FORMAT_PNG, v1::PROFILE_TELEGRAM_EMOJI) ==
        "a Telegram custom emoji is exactly 100x100, not 512x512");
}

TEST_CASE("a telegram-emoji WEBM is a 100x100 video sticker with alpha") {
  Renderer r;
  const RenderedSticker webm = emoji(r, "bounce", v1::FORMAT_WEBM);
  CHECK(webm.width == 100);
  CHECK(webm.mime_type == "video/webm");
  CHECK(refusal(webm.data, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM_EMOJI) == "");
  CHECK(refusal(webm.data, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM).find("one side of 512") !=
        std::string::npos);
  auto read = encode::read_webm(webm.data);
  REQUIRE_MESSAGE(read.ok(), test::error_text(read));
  CHECK(read->width == 100);
  CHECK(read->height == 100);
  CHECK(read->alpha_mode == 1);
  CHECK(read->frames.size() == webm.frame_count);
  CHECK(webm.duration_ms <= 3000);
  // And a sticker-sized video is no custom emoji.
  auto big = r.render("Hi", style("bounce"), v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM);
  REQUIRE(big.ok());
  CHECK(refusal(big->data, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM_EMOJI) ==
        "a Telegram custom emoji is exactly 100x100, not 512x512");
}

TEST_CASE("a telegram-emoji TGS stays on its 512 canvas; animated WebP is refused") {
  Renderer r;
  const RenderedSticker tgs = emoji(r, "bounce", v1::FORMAT_TGS);
  CHECK(tgs.width == 512);
  CHECK(refusal(tgs.data, v1::FORMAT_TGS, v1::PROFILE_TELEGRAM_EMOJI) == "");
  auto webp = r.render("Hi", style("bounce"), v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_TELEGRAM_EMOJI);
  REQUIRE_FALSE(webp.ok());
  CHECK(webp.error().code == v1::INVALID_ARGUMENT);
}
