// styles: every built-in style in every format it declares, in one warm
// process (as a worker holds it): render + encode time per sticker as median
// [min-max] over rounds of the four sticker-v0 texts, and the output bytes.
// Animated WebP is asked for the whatsapp profile (Telegram takes no animated
// WebP), every other format for telegram.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <uv.h>

#include "bench/args.h"
#include "bench/stats.h"
#include "bench/workload.h"
#include "common/format_rules.h"
#include "common/style_catalogue.h"
#include "worker/render/allocator.h"
#include "worker/sticker/renderer.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace stickerd;

struct Options {
  int rounds = 2;
  std::vector<std::string> styles;  // empty: all
  std::vector<v1::Format> formats;  // empty: every declared one
  bool json = false;
};

Options parse(int argc, char** argv) {
  Options o;
  bench::Args args(argc, argv);
  while (args.more()) {
    const std::string_view a = args.flag();
    if (a == "--rounds")
      o.rounds = std::atoi(args.value().c_str());
    else if (a == "--style")
      o.styles = bench::split(args.value());
    else if (a == "--format") {
      for (const auto& f : bench::split(args.value())) o.formats.push_back(bench::parse_format(f));
    } else if (a == "--json")
      o.json = true;
    else {
      fmt::print(stderr,
                 "usage: styles [--style a,b] [--format webp,tgs,..] [--rounds R] [--json]\n");
      std::exit(2);
    }
  }
  return o;
}

v1::Profile profile_for(v1::Format f) {
  return f == v1::FORMAT_WEBP_ANIMATED ? v1::PROFILE_WHATSAPP : v1::PROFILE_TELEGRAM;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  auto catalogue = StyleCatalogue::load_dir(default_styles_dir());
  if (!catalogue) {
    fmt::print(stderr, "{}\n", catalogue.error().message);
    return 1;
  }
  render::reuse_freed_memory();  // as stickerd-worker does
  render::Renderer renderer;
  // One process on this machine: a worker alone on its core (Task.spare_core).
  const render::RenderOptions options{.spare_core = uv_available_parallelism() > 1};
  bool first = true;
  if (o.json)
    fmt::print("[");
  else
    fmt::print(
        "| style | format | ms/sticker median [min–max] | bytes median [min–max] "
        "|\n|---|---|---|---|\n");
  for (const v1::StyleSpec& style : catalogue->styles()) {
    if (!o.styles.empty() &&
        std::find(o.styles.begin(), o.styles.end(), style.id()) == o.styles.end())
      continue;
    for (int f : style.formats()) {
      const auto format = static_cast<v1::Format>(f);
      if (!o.formats.empty() &&
          std::find(o.formats.begin(), o.formats.end(), format) == o.formats.end())
        continue;
      const v1::Profile profile = profile_for(format);
      // Warm: the first render of a combination opens its fonts at new sizes.
      (void)renderer.render(bench::kTexts[3], style, format, profile, options);
      std::vector<double> ms, bytes;
      std::string failure;
      for (int r = 0; r < o.rounds; ++r) {
        for (auto text : bench::kTexts) {
          const auto t0 = Clock::now();
          auto sticker = renderer.render(text, style, format, profile, options);
          ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          if (sticker)
            bytes.push_back(static_cast<double>(sticker->data.size()));
          else
            failure = sticker.error().message;
          std::replace(failure.begin(), failure.end(), '"', '\'');  // stays a JSON string
        }
      }
      const auto t = bench::summarise(ms);
      const auto b = bench::summarise(bytes);
      if (o.json) {
        fmt::print(
            "{}{{\"style\":\"{}\",\"format\":\"{}\",\"profile\":\"{}\",\"ms\":{{\"median\":{:.2f},"
            "\"min\":{:.2f},"
            "\"max\":{:.2f}}},\"bytes\":{{\"median\":{:.0f},\"min\":{:.0f},\"max\":{:.0f}}},"
            "\"failed\":\"{}\"}}",
            first ? "" : ",", style.id(), format_name(format), v1::Profile_Name(profile), t.median,
            t.min, t.max, b.median, b.min, b.max, failure);
      } else {
        fmt::print("| {} | {} | {:.1f} [{:.1f}–{:.1f}] | {:.0f} [{:.0f}–{:.0f}] |{}\n", style.id(),
                   format_name(format), t.median, t.min, t.max, b.median, b.min, b.max,
                   failure.empty() ? "" : " failed: " + failure);
      }
      first = false;
      std::fflush(stdout);
    }
  }
  if (o.json) fmt::print("]\n");
  return 0;
}
