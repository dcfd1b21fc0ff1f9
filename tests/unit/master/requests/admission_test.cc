// Unit tests for master/admission: each rejection code, and normalisation.
// Uses the source tree's catalogue, relying only on its "classic" style
// (formats WEBP and PNG).
#include <doctest/doctest.h>

#include "build_config.h"
#include "common/format_rules.h"
#include "master/requests/admission.h"

using namespace stickerd;

namespace {

const StyleCatalogue& catalogue() {
  static const StyleCatalogue c = [] {
    auto loaded = StyleCatalogue::load_dir(STICKERD_SOURCE_STYLES_DIR);
    REQUIRE(loaded.ok());
    return std::move(*loaded);
  }();
  return c;
}

const AdmissionLimits kLimits{5, 4};

v1::RenderRequest render(std::string text) {
  v1::RenderRequest r;
  r.set_text(std::move(text));
  r.set_style_id("classic");
  return r;
}

ErrorCode rejection(const v1::RenderRequest& r) {
  auto spec = admit_render(r, catalogue(), kLimits);
  REQUIRE_FALSE(spec.ok());
  return spec.error().code;
}

}  // namespace

TEST_CASE("a good request is normalised: trimmed text, default format, profile and priority") {
  auto r = render("  hi \n");
  r.set_style_id("");
  r.set_deadline_ms(1500);
  auto spec = admit_render(r, catalogue(), kLimits);
  REQUIRE(spec.ok());
  CHECK(spec->text == "hi");
  CHECK(spec->style_id == catalogue().default_style_id());
  CHECK(spec->format ==
        default_format_for(*catalogue().find(spec->style_id), v1::PROFILE_TELEGRAM));
  CHECK(spec->profile == v1::PROFILE_TELEGRAM);
  CHECK(spec->priority == v1::PRIORITY_INTERACTIVE);
  CHECK(spec->deadline_ms == 1500);
}

TEST_CASE("text that is not UTF-8 is INVALID_ARGUMENT") {
  CHECK(rejection(render("a\xff")) == v1::INVALID_ARGUMENT);
}

TEST_CASE("empty or blank text is INVALID_ARGUMENT") {
  CHECK(rejection(render("")) == v1::INVALID_ARGUMENT);
  CHECK(rejection(render(" \t\n ")) == v1::INVALID_ARGUMENT);
}

TEST_CASE("text over the limit in code points is TEXT_TOO_LONG, bytes do not count") {
  CHECK(rejection(render("abcdef")) == v1::TEXT_TOO_LONG);
  CHECK(admit_render(render("ÄÖÜäö"), catalogue(), kLimits).ok());  // 5 code points, 10 bytes
  CHECK(admit_render(render("  abcde  "), catalogue(), kLimits)
            .ok());  // limit applies after trimming
}

TEST_CASE("an unknown style is UNKNOWN_STYLE") {
  auto r = render("hi");
  r.set_style_id("no-such-style");
  CHECK(rejection(r) == v1::UNKNOWN_STYLE);
}

TEST_CASE("a format the style does not declare is INVALID_ARGUMENT") {
  auto r = render("hi");
  r.set_format(v1::FORMAT_TGS);
  CHECK(rejection(r) == v1::INVALID_ARGUMENT);
  r.set_format(v1::FORMAT_PNG);
  CHECK(admit_render(r, catalogue(), kLimits)->format == v1::FORMAT_PNG);
}

TEST_CASE("enum values out of range are INVALID_ARGUMENT") {
  SUBCASE("format") {
    auto r = render("hi");
    r.set_format(static_cast<v1::Format>(99));
    CHECK(rejection(r) == v1::INVALID_ARGUMENT);
  }
  SUBCASE("profile") {
    auto r = render("hi");
    r.set_profile(static_cast<v1::Profile>(99));
    CHECK(rejection(r) == v1::INVALID_ARGUMENT);
  }
  SUBCASE("priority") {
    auto r = render("hi");
    r.set_priority(static_cast<v1::Priority>(-3));
    CHECK(rejection(r) == v1::INVALID_ARGUMENT);
  }
}

TEST_CASE("a batch with no styles named covers every style that serves its profile") {
  v1::BatchRequest b;
  b.set_text("hi");
  std::size_t telegram = 0;
  for (const auto& style : catalogue().styles()) {
    telegram += !format_profile_conflict(default_format_for(style, v1::PROFILE_TELEGRAM),
                                         v1::PROFILE_TELEGRAM);
  }
  auto plan = admit_batch(b, catalogue(), AdmissionLimits{5, 1000});
  REQUIRE(plan.ok());
  CHECK(plan->size() == telegram);
  CHECK(telegram > 0);
  for (const auto& item : *plan) CHECK(item.spec.ok());
}

TEST_CASE("a batch with no styles named that no style can serve is refused with the reason") {
  v1::BatchRequest b;
  b.set_text("hi");
  b.set_format(v1::FORMAT_WEBP_ANIMATED);  // Telegram (the default profile) never animates WebP
  auto plan = admit_batch(b, catalogue(), AdmissionLimits{5, 1000});
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().code == v1::INVALID_ARGUMENT);
  CHECK(plan.error().message.find("Telegram does not animate WebP") != std::string::npos);
}

TEST_CASE("a batch fails item by item for bad styles, and as a whole for bad text") {
  v1::BatchRequest b;
  b.set_text("hi");
  b.add_style_ids("classic");
  b.add_style_ids("bogus");
  auto plan = admit_batch(b, catalogue(), kLimits);
  REQUIRE(plan.ok());
  REQUIRE(plan->size() == 2);
  CHECK((*plan)[0].spec.ok());
  CHECK((*plan)[1].style_id == "bogus");
  CHECK((*plan)[1].spec.error().code == v1::UNKNOWN_STYLE);

  b.set_text("far too long");
  auto refused = admit_batch(b, catalogue(), kLimits);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == v1::TEXT_TOO_LONG);
}

TEST_CASE("a batch naming more styles than allowed is INVALID_ARGUMENT") {
  v1::BatchRequest b;
  b.set_text("hi");
  for (int i = 0; i < 5; ++i) b.add_style_ids("classic");
  auto plan = admit_batch(b, catalogue(), kLimits);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().code == v1::INVALID_ARGUMENT);
}

namespace stickerd {

TEST_CASE("each profile accepts only the formats its target plays") {
  CHECK_FALSE(format_profile_conflict(v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM));
  CHECK_FALSE(format_profile_conflict(v1::FORMAT_TGS, v1::PROFILE_TELEGRAM));
  CHECK(format_profile_conflict(v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_TELEGRAM));
  CHECK(format_profile_conflict(v1::FORMAT_TGS, v1::PROFILE_WHATSAPP));
  CHECK(format_profile_conflict(v1::FORMAT_PNG, v1::PROFILE_WHATSAPP));
  CHECK_FALSE(format_profile_conflict(v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP));
  CHECK_FALSE(format_profile_conflict(v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_NONE));
}

TEST_CASE("the default format is the style's first one the profile accepts") {
  v1::StyleSpec style;
  style.add_formats(v1::FORMAT_WEBP_ANIMATED);
  style.add_formats(v1::FORMAT_TGS);
  CHECK(default_format_for(style, v1::PROFILE_TELEGRAM) == v1::FORMAT_TGS);
  CHECK(default_format_for(style, v1::PROFILE_WHATSAPP) == v1::FORMAT_WEBP_ANIMATED);
  CHECK(default_format_for(style, v1::PROFILE_NONE) == v1::FORMAT_WEBP_ANIMATED);
}

}  // namespace stickerd
