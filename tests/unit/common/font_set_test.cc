// The font set: styles/fonts.json is read and checked, its fingerprint
// follows the files, and its fontconfig configuration holds exactly them.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "build_config.h"
#include "common/font_config.h"
#include "common/font_set.h"
#include "common/style_catalogue.h"

namespace stickerd {
namespace {

constexpr const char* kDejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kDejaVuBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

FontSet parsed(const std::string& json) {
  auto set = parse_font_set(json, "fonts.json");
  REQUIRE_MESSAGE(set.ok(), (set.ok() ? "" : set.error().message));
  return std::move(*set);
}

}  // namespace

TEST_CASE("a font file's version is read from its head table") {
  const std::string v = font_revision(kDejaVu);
  CHECK(v.size() >= 5);  // e.g. "2.037"
  CHECK(v.find('.') != std::string::npos);
  CHECK(font_revision("/nonexistent.ttf").empty());
}

TEST_CASE("the fingerprint changes with the files and the fallback order, and only with them") {
  const FontSet a = parsed(fmt::format(R"({{"files": ["{}"], "fallback": ["X", "Y"]}})", kDejaVu));
  const FontSet same = parsed(
      fmt::format(R"({{"comment": ["c"], "files": ["{}"], "fallback": ["X", "Y"]}})", kDejaVu));
  const FontSet more = parsed(
      fmt::format(R"({{"files": ["{}", "{}"], "fallback": ["X", "Y"]}})", kDejaVu, kDejaVuBold));
  const FontSet order =
      parsed(fmt::format(R"({{"files": ["{}"], "fallback": ["Y", "X"]}})", kDejaVu));
  CHECK(a.fingerprint.size() == 16);
  CHECK(a.fingerprint == same.fingerprint);
  CHECK(a.fingerprint != more.fingerprint);
  CHECK(a.fingerprint != order.fingerprint);
  REQUIRE(a.files.size() == 1);
  CHECK(a.files[0].size > 100000);
}

TEST_CASE("a missing font file or an unknown field is an error naming it") {
  auto missing = parse_font_set(R"({"files": ["/no/such/font.ttf"]})", "fonts.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("/no/such/font.ttf") != std::string::npos);
  auto typo = parse_font_set(fmt::format(R"({{"file": ["{}"]}})", kDejaVu), "fonts.json");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().message.find("fonts.json") != std::string::npos);
}

TEST_CASE("the configuration of a font set holds its files and no other font on the host") {
  const FontSet set = parsed(fmt::format(R"({{"files": ["{}", "{}"]}})", kDejaVu, kDejaVuBold));
  auto config = make_font_config(set);
  REQUIRE_MESSAGE(config.ok(), (config.ok() ? "" : config.error().message));
  const std::vector<FontFace> faces = list_faces(config->get(), set);
  REQUIRE(faces.size() == 2);
  CHECK(faces[0].file == kDejaVu);
  CHECK(faces[1].file == kDejaVuBold);
  CHECK(faces[0].family == "DejaVu Sans");
  for (const char* script : {"Latn", "Cyrl", "Grek"}) {
    CHECK(std::count(faces[0].scripts.begin(), faces[0].scripts.end(), script) == 1);
  }
}

TEST_CASE("the declared font set covers the scripts stickerd promises") {
  auto set = load_font_set(STICKERD_SOURCE_STYLES_DIR);
  REQUIRE_MESSAGE(set.ok(), (set.ok() ? "" : set.error().message));
  auto config = make_font_config(*set);
  REQUIRE_MESSAGE(config.ok(), (config.ok() ? "" : config.error().message));
  std::set<std::string> covered;
  std::set<std::string> families;
  for (const FontFace& f : list_faces(config->get(), *set)) {
    covered.insert(f.scripts.begin(), f.scripts.end());
    families.insert(f.family);
  }
  for (const char* script :
       {"Latn", "Cyrl", "Grek", "Armn", "Geor", "Hebr", "Arab", "Syrc", "Thaa", "Nkoo",
        "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh",
        "Thai", "Laoo", "Khmr", "Mymr", "Tibt", "Ethi", "Cher", "Cans", "Tfng", "Java",
        "Bali", "Olck", "Mong", "Hani", "Hira", "Kana", "Hang", "Yiii", "Vaii", "Adlm"}) {
    CHECK_MESSAGE(covered.count(script) == 1, script, " has no font in the set");
  }
  // Every fallback family names a font of the set: a typo would silently skip it.
  for (const std::string& family : set->fallback)
    CHECK_MESSAGE(families.count(family) == 1, family);
  CHECK(families.count(set->emoji) == 1);
}

TEST_CASE("a style's config_id includes the font set's fingerprint") {
  auto catalogue = StyleCatalogue::load_dir(STICKERD_SOURCE_STYLES_DIR);
  REQUIRE_MESSAGE(catalogue.ok(), (catalogue.ok() ? "" : catalogue.error().message));
  REQUIRE_FALSE(catalogue->font_set().files.empty());
  const v1::StyleSpec& classic = *catalogue->find("classic");
  CHECK(catalogue->config_id("classic") ==
        compute_config_id(classic, catalogue->font_set().fingerprint));
  CHECK(catalogue->config_id("classic") != compute_config_id(classic));
  CHECK(catalogue->config_id("classic") != compute_config_id(classic, "0000000000000000"));
}

}  // namespace stickerd
