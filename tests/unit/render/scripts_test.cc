// Every living script renders as text, never as boxes: a sentence in each of
// the scripts of docs/scripts.tsv, in a static style, an animated one and
// TGS, with zero unknown glyphs.
#include <doctest/doctest.h>

#include "tests/unit/render/script_samples.h"
#include "tests/unit/render/test_support.h"
#include "worker/sticker/renderer.h"

namespace stickerd::render {
namespace {

// wave with three frames: the layout (where boxes would come from) is the
// same as with thirty, and 46 full animations would take most of a minute
// (longer under ASan).
v1::StyleSpec short_wave() {
  v1::StyleSpec style = *test::source_catalogue().find("wave");
  style.mutable_animation()->set_frames(3);
  return style;
}

}  // namespace

TEST_CASE(
    "a sentence in each of 40-odd scripts lays out with no unknown glyph, for raster and for TGS") {
  Renderer r;
  REQUIRE(test::script_samples().size() >= 40);
  for (const test::ScriptSample& s : test::script_samples()) {
    for (const bool vector_only : {false, true}) {
      CAPTURE(s.script);
      CAPTURE(vector_only);
      std::vector<FrameLook> looks;
      auto scene = r.build_scene(s.text, test::classic(), vector_only, looks);
      REQUIRE_MESSAGE(scene.ok(), test::error_text(scene));
      CHECK(scene->fitted.unknown.count == 0);
    }
  }
}

TEST_CASE("a sentence in each script renders as a static WebP, an animated WebP and a TGS") {
  Renderer r;
  const v1::StyleSpec wave = short_wave();
  for (const test::ScriptSample& s : test::script_samples()) {
    CAPTURE(s.script);
    auto still = r.render(s.text, test::classic(), v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM);
    CHECK_MESSAGE(still.ok(), test::error_text(still));
    auto animated = r.render(s.text, wave, v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP);
    CHECK_MESSAGE(animated.ok(), test::error_text(animated));
    if (animated.ok()) CHECK(animated->frame_count >= 2);
    auto tgs = r.render(s.text, *test::source_catalogue().find("wave"), v1::FORMAT_TGS,
                        v1::PROFILE_TELEGRAM);
    CHECK_MESSAGE(tgs.ok(), test::error_text(tgs));
  }
}

}  // namespace stickerd::render
