// The font map: every glyph comes from a file of the declared font set, in
// the style's weight, with colour emoji for raster and outline emoji for TGS.
#include <doctest/doctest.h>

#include <pango/pangofc-font.h>

#include <set>
#include <string>

#include "tests/unit/render/script_samples.h"
#include "tests/unit/render/test_support.h"
#include "worker/sticker/renderer.h"

namespace stickerd::render {
namespace {

// The font file behind each run of the scene's layout, in order.
std::vector<std::string> run_files(const Scene& scene) {
  std::vector<std::string> files;
  PangoLayoutIter* iter = pango_layout_get_iter(scene.fitted.layout.get());
  do {
    const PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
    if (run == nullptr) continue;
    FcPattern* pattern = pango_fc_font_get_pattern(PANGO_FC_FONT(run->item->analysis.font));
    FcChar8* file = nullptr;
    if (FcPatternGetString(pattern, FC_FILE, 0, &file) == FcResultMatch) {
      files.emplace_back(reinterpret_cast<const char*>(file));
    }
  } while (pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);
  return files;
}

Scene scene_of(Renderer& r, std::string_view text, bool vector_only) {
  std::vector<FrameLook> looks;
  auto scene = r.build_scene(text, test::classic(), vector_only, looks);
  REQUIRE_MESSAGE(scene.ok(), test::error_text(scene));
  return std::move(*scene);
}

}  // namespace

TEST_CASE("every script is drawn with files of the font set and no other font on the host") {
  Renderer r;
  std::set<std::string> declared;
  for (const FontFile& f : r.font_set().files) declared.insert(f.path);
  for (const test::ScriptSample& s : test::script_samples()) {
    CAPTURE(s.script);
    for (const std::string& file : run_files(scene_of(r, s.text, false))) {
      CHECK_MESSAGE(declared.count(file) == 1, file);
    }
  }
}

TEST_CASE("a bold style gets the bold face of each fallback family that has one") {
  Renderer r;
  for (const auto& [text, face] : {std::pair{"สวัสดี", "NotoSansThai-Bold.ttf"},
                                   {"नमस्ते", "NotoSansDevanagari-Bold.ttf"},
                                   {"日本語", "NotoSansCJK-Bold.ttc"}}) {
    CAPTURE(text);
    const auto files = run_files(scene_of(r, text, false));
    REQUIRE_FALSE(files.empty());
    CHECK(files.front().ends_with(face));
  }
}

TEST_CASE("emoji are colour for raster output and outlines for TGS") {
  Renderer r;
  const auto raster = run_files(scene_of(r, "🎉", false));
  const auto vector = run_files(scene_of(r, "🎉", true));
  REQUIRE_FALSE(raster.empty());
  REQUIRE_FALSE(vector.empty());
  CHECK(raster.front().ends_with("NotoColorEmoji.ttf"));
  CHECK(vector.front().ends_with("Symbola_hint.ttf"));
}

}  // namespace stickerd::render
