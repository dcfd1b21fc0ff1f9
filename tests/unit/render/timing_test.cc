// Render times and sizes per format, for the report and for regressions seen
// by eye. Skipped by default; run with: unit_render -tc="render timings*" --no-skip
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "tests/unit/render/test_support.h"
#include "worker/sticker/renderer.h"

namespace stickerd::render {

TEST_CASE("render timings per format, median of five" * doctest::skip()) {
  Renderer r;
  struct Case {
    const char* style;
    v1::Format format;
    v1::Profile profile;
  };
  for (const Case& c :
       {Case{"classic", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM},
        Case{"classic", v1::FORMAT_PNG, v1::PROFILE_TELEGRAM},
        Case{"bench-reference", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM},
        Case{"wave", v1::FORMAT_TGS, v1::PROFILE_TELEGRAM},
        Case{"shake-extrude", v1::FORMAT_TGS, v1::PROFILE_TELEGRAM},
        Case{"wave", v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP},
        Case{"neon", v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP},
        Case{"bench-reference-bounce", v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_NONE},
        Case{"bench-reference-bounce", v1::FORMAT_WEBP_ANIMATED, v1::PROFILE_WHATSAPP}}) {
    std::vector<double> ms;
    RenderedSticker last;
    for (int i = 0; i < 5; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto out =
          r.render("Привет, мир! 🎉", *test::source_catalogue().find(c.style), c.format, c.profile);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      REQUIRE_MESSAGE(out.ok(), test::error_text(out));
      last = std::move(*out);
    }
    std::sort(ms.begin(), ms.end());
    MESSAGE(fmt::format("{} {} {}: {:.1f} ms median, {} bytes, q{}, {} frames, {} ms", c.style,
                        v1::Format_Name(c.format), v1::Profile_Name(c.profile), ms[2],
                        last.data.size(), last.quality, last.frame_count, last.duration_ms));
  }
}

}  // namespace stickerd::render
