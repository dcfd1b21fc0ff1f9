// TGS with large scripts: the longest text the daemon accepts in CJK or an
// Indic script has thousands of outline points, yet the TGS stays within
// Telegram's 64 KB, or is refused with TEXT_TOO_LONG; never a file over it.
#include <doctest/doctest.h>

#include <string>

#include "tests/unit/render/test_support.h"
#include "worker/sticker/renderer.h"

namespace stickerd::render {
namespace {

constexpr std::size_t kTgsCap = 64 * 1024;

// `sentence` repeated up to 256 code points (--max-text-length's default).
std::string longest(std::string_view sentence) {
  std::string text;
  while (g_utf8_strlen(text.c_str(), -1) < 256) text += sentence;
  text.resize(static_cast<std::size_t>(g_utf8_offset_to_pointer(text.c_str(), 256) - text.c_str()));
  return text;
}

}  // namespace

TEST_CASE(
    "the longest CJK text fits a TGS under 64 KB in every TGS style, or is refused as too long") {
  Renderer r;
  // Chinese: the most outline points per character. Every TGS style, as the
  // heavy ones (glow, extrusion, shadow copies) repeat each path.
  const std::string text = longest("我们今天去公园散步，天气很好，大家都很开心。");
  int fitted = 0, refused = 0;
  for (const v1::StyleSpec& style : test::source_catalogue().styles()) {
    if (!StyleCatalogue::supports(style, v1::FORMAT_TGS)) continue;
    CAPTURE(style.id());
    auto out = r.render(text, style, v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
    if (out.ok()) {
      CHECK(out->data.size() <= kTgsCap);
      ++fitted;
    } else {
      CHECK_MESSAGE(out.error().code == v1::TEXT_TOO_LONG, test::error_text(out));
      CHECK(out.error().message.find("64 KB") != std::string::npos);
      ++refused;
    }
  }
  MESSAGE(fitted, " styles fitted the longest Chinese text in a TGS, ", refused,
          " refused it as too long");
  // Whole-pixel coordinates and merged points are what make them fit: with
  // only the old levels (fewer keyframes, no layer copies) glitch (140 KB),
  // shake (73 KB) and shake-extrude (67 KB) were over the cap; now every
  // style fits, the heaviest (glitch) at 55 KB.
  CHECK(refused == 0);
}

TEST_CASE("the longest Japanese, Korean and Devanagari texts fit a TGS under 64 KB") {
  Renderer r;
  const v1::StyleSpec& wave = *test::source_catalogue().find("wave");
  for (std::string_view sentence :
       {"今日は公園を散歩しました。天気がとても良かったです。",
        "오늘은 공원에서 산책했어요. 날씨가 정말 좋았어요. ", "नमस्ते दुनिया, आज मौसम बहुत अच्छा है। "}) {
    CAPTURE(sentence);
    auto out = r.render(longest(sentence), wave, v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
    REQUIRE_MESSAGE(out.ok(), test::error_text(out));
    CHECK(out->data.size() <= kTgsCap);
  }
}

}  // namespace stickerd::render
