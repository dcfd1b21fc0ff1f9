// The style catalogue: the built-in styles load, and bad files are rejected
// with the file and the field named.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/format_rules.h"
#include "tests/unit/render/test_support.h"

namespace stickerd {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "stickerd-styles-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

const char* const kValid =
    R"({"id": "plain", "formats": ["FORMAT_WEBP"], "font": "DejaVu Sans Bold",
  "fill": {"solid": "#FFFFFF"}, "outlines": [{"color": "#000000", "width": 8}]})";

}  // namespace

TEST_CASE("the built-in styles load and classic is the default") {
  const StyleCatalogue& cat = test::source_catalogue();
  REQUIRE(cat.find("classic") != nullptr);
  CHECK(cat.default_style_id() == "classic");
  CHECK(default_format_for(*cat.find("classic"), v1::PROFILE_TELEGRAM) == v1::FORMAT_WEBP);
  CHECK(cat.config_id("classic").size() == 16);
}

TEST_CASE("a valid style file loads") {
  TempDir dir;
  dir.write("plain.json", kValid);
  auto cat = StyleCatalogue::load_dir(dir.path().string());
  REQUIRE_MESSAGE(cat.ok(), test::error_text(cat));
  CHECK(cat->find("plain") != nullptr);
}

TEST_CASE("a bad colour is rejected naming the file and the field") {
  TempDir dir;
  const std::string file = dir.write("bad.json", R"({"id": "bad", "formats": ["FORMAT_WEBP"],
    "fill": {"solid": "#FFFFFF"}, "outlines": [{"color": "black", "width": 8}]})");
  auto cat = StyleCatalogue::load_dir(dir.path().string());
  REQUIRE_FALSE(cat.ok());
  CHECK(cat.error().code == v1::INVALID_ARGUMENT);
  CHECK(cat.error().message.find(file) != std::string::npos);
  CHECK(cat.error().message.find("outlines[0].color") != std::string::npos);
}

TEST_CASE("an unknown field is rejected naming the file and the field") {
  TempDir dir;
  const std::string file = dir.write("typo.json", R"({"id": "typo", "formats": ["FORMAT_WEBP"],
    "fill": {"solid": "#FFFFFF"}, "paddding": 12})");
  auto cat = StyleCatalogue::load_dir(dir.path().string());
  REQUIRE_FALSE(cat.ok());
  CHECK(cat.error().message.find(file) != std::string::npos);
  CHECK(cat.error().message.find("paddding") != std::string::npos);
}

TEST_CASE("a shadow offset beyond the canvas is rejected") {
  TempDir dir;
  dir.write("far.json", R"({"id": "far", "formats": ["FORMAT_WEBP"], "fill": {"solid": "#FFFFFF"},
    "shadow": {"color": "#000000", "dx": 300, "dy": 0}})");
  auto cat = StyleCatalogue::load_dir(dir.path().string());
  REQUIRE_FALSE(cat.ok());
  CHECK(cat.error().message.find("shadow.dx") != std::string::npos);
}

}  // namespace stickerd

namespace stickerd {

TEST_CASE("animation and effect mistakes are rejected naming the file and the field") {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"id": "a", "formats": ["FORMAT_WEBP_ANIMATED"], "fill": {"solid": "#FFFFFF"}})",
                "animation.type: required by format FORMAT_WEBP_ANIMATED"},
           Case{R"({"id": "a", "formats": ["FORMAT_TGS"], "fill": {"solid": "#FFFFFF"},
                   "animation": {"type": "ANIMATION_WAVE", "frames": 40, "frameMs": 100}})",
                "over the 3000 ms a TGS may last"},
           Case{R"({"id": "a", "formats": ["FORMAT_WEBP"], "fill": {"solid": "#FFFFFF"},
                   "animation": {"type": "ANIMATION_WAVE", "frameMs": 5}})",
                "animation.frameMs"},
           Case{R"({"id": "a", "formats": ["FORMAT_WEBP"], "fill": {"solid": "#FFFFFF"},
                   "glow": {"color": "blue", "radius": 4}})",
                "glow.color"},
           Case{R"({"id": "a", "formats": ["FORMAT_WEBP"], "fill": {"solid": "#FFFFFF"},
                   "bubble": {"color": "#FFFFFF", "margin": 500}})",
                "bubble.margin"},
       }) {
    CAPTURE(c.json);
    auto spec = StyleCatalogue::parse_style(c.json, "styles/a.json");
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().message.find("styles/a.json") != std::string::npos);
    CHECK(spec.error().message.find(c.field) != std::string::npos);
  }
}

}  // namespace stickerd
