// inproc: the renderer library's own limit, with no daemon and no IPC. For each
// style and format it forks N processes that each hold one warm Renderer (as a
// worker does), releases them together, and times R rounds of C stickers per
// process over the four sticker-v0 texts (perf-anchors.md). Reports stickers/s
// and ms per sticker as median [min-max] over rounds, output sizes per text,
// and the cold cost (Renderer construction and first render) of one process.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
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
#include "common/frame_io.h"
#include "common/style_catalogue.h"
#include "worker/render/allocator.h"
#include "worker/sticker/renderer.h"

namespace {

using Clock = std::chrono::steady_clock;
using stickerd::bench::kTexts;
using stickerd::bench::split;
using stickerd::v1::Format;

struct Options {
  std::string styles_dir;
  std::vector<std::string> styles;
  std::vector<int> procs = {1, 2};
  Format format = stickerd::v1::FORMAT_UNSPECIFIED;
  stickerd::v1::Profile profile = stickerd::v1::PROFILE_TELEGRAM;
  int count = 20;  // stickers per process per round
  int rounds = 5;
  bool json = false;
};

// What one child reports after a round (fixed size: written through a pipe).
struct RoundReport {
  double busy_ms = 0;  // time spent inside render() over the round
  int done = 0;
  int failed = 0;
  std::array<std::uint64_t, kTexts.size()> bytes{};
};

struct ColdReport {
  double construct_ms = 0;
  double first_ms = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  o.styles_dir = stickerd::default_styles_dir();
  stickerd::bench::Args args(argc, argv);
  while (args.more()) {
    const std::string_view a = args.flag();
    if (a == "--styles-dir")
      o.styles_dir = args.value();
    else if (a == "--style")
      o.styles = split(args.value());
    else if (a == "--procs") {
      o.procs.clear();
      for (const auto& p : split(args.value())) o.procs.push_back(std::atoi(p.c_str()));
    } else if (a == "--format")
      o.format = stickerd::bench::parse_format(args.value());
    else if (a == "--profile")
      o.profile = stickerd::bench::parse_profile(args.value());
    else if (a == "--count")
      o.count = std::atoi(args.value().c_str());
    else if (a == "--rounds")
      o.rounds = std::atoi(args.value().c_str());
    else if (a == "--json")
      o.json = true;
    else {
      fmt::print(stderr,
                 "usage: inproc [--styles-dir DIR] [--style a,b] [--format "
                 "webp|webp_animated|png|tgs|webm|default]\n"
                 "              [--profile telegram|whatsapp|none] [--procs 1,2] [--count N] "
                 "[--rounds R] [--json]\n");
      std::exit(2);
    }
  }
  return o;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

bool read_exact(int fd, void* p, std::size_t n) {
  auto* c = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t r = ::read(fd, c, n);
    if (r <= 0) return false;
    c += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool write_exact(int fd, const void* p, std::size_t n) {
  return stickerd::write_all(fd, std::string_view(static_cast<const char*>(p), n));
}

// One forked renderer process: warm up, report the cold cost, then render
// `count` stickers each time the parent writes a byte to `go`.
[[noreturn]] void child(const stickerd::v1::StyleSpec& style, const Options& o, int index,
                        int procs, int go, int out) {
  // What a worker is told when it is alone on a core (Task.spare_core): the
  // master's rule, with N processes in place of N busy workers.
  const stickerd::render::RenderOptions render_options{
      .spare_core = procs < static_cast<int>(uv_available_parallelism())};
  const auto t0 = Clock::now();
  stickerd::render::Renderer renderer;
  ColdReport cold;
  cold.construct_ms = ms_since(t0);
  const auto t1 = Clock::now();
  (void)renderer.render(kTexts[3], style, o.format, o.profile, render_options);
  cold.first_ms = ms_since(t1);
  for (std::size_t k = 0; k < kTexts.size(); ++k) {  // steady state: every glyph seen once
    (void)renderer.render(kTexts[k], style, o.format, o.profile, render_options);
  }
  if (!write_exact(out, &cold, sizeof cold)) std::_Exit(1);
  char byte;
  while (read_exact(go, &byte, 1)) {
    RoundReport report;
    for (int i = 0; i < o.count; ++i) {
      // Offset by the process index so concurrent processes mix texts.
      const std::size_t k = static_cast<std::size_t>(i + index) % kTexts.size();
      const auto ts = Clock::now();
      auto sticker = renderer.render(kTexts[k], style, o.format, o.profile, render_options);
      report.busy_ms += ms_since(ts);
      if (sticker) {
        ++report.done;
        report.bytes[k] = sticker->data.size();
      } else {
        ++report.failed;
      }
    }
    if (!write_exact(out, &report, sizeof report)) std::_Exit(1);
  }
  std::_Exit(0);
}

struct Child {
  pid_t pid;
  int go;
  int out;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  stickerd::render::reuse_freed_memory();  // as stickerd-worker does
  auto catalogue = stickerd::StyleCatalogue::load_dir(o.styles_dir);
  if (!catalogue) {
    fmt::print(stderr, "{}\n", catalogue.error().message);
    return 1;
  }
  if (o.styles.empty()) {
    // The reference workload when its style exists; else the default style.
    o.styles.push_back(catalogue->find("bench-reference") ? "bench-reference"
                                                          : catalogue->default_style_id());
  }
  bool first_json = true;
  if (o.json) fmt::print("[");
  for (const auto& style_id : o.styles) {
    const stickerd::v1::StyleSpec* style = catalogue->find(style_id);
    if (!style) {
      fmt::print(stderr, "unknown style {}\n", style_id);
      return 1;
    }
    for (int n : o.procs) {
      std::vector<Child> children;
      std::vector<ColdReport> colds;
      for (int i = 0; i < n; ++i) {
        int go[2], out[2];
        if (::pipe(go) != 0 || ::pipe(out) != 0) return 1;
        const pid_t pid = ::fork();
        if (pid == 0) {
          ::close(go[1]);
          ::close(out[0]);
          // Siblings' pipe ends must not stay open here, or a sibling never
          // sees EOF on its `go` pipe when the parent is done with it.
          for (const auto& sibling : children) {
            ::close(sibling.go);
            ::close(sibling.out);
          }
          child(*style, o, i, n, go[0], out[1]);
        }
        ::close(go[0]);
        ::close(out[1]);
        children.push_back({pid, go[1], out[0]});
      }
      for (auto& c : children) {
        ColdReport cold;
        if (!read_exact(c.out, &cold, sizeof cold)) return 1;
        colds.push_back(cold);
      }
      std::vector<double> rates, per_sticker;
      RoundReport last;
      int failed = 0;
      for (int r = 0; r < o.rounds; ++r) {
        const auto t0 = Clock::now();
        for (auto& c : children) (void)write_exact(c.go, "g", 1);
        int done = 0;
        double busy = 0;
        for (auto& c : children) {
          RoundReport rep;
          if (!read_exact(c.out, &rep, sizeof rep)) return 1;
          done += rep.done;
          failed += rep.failed;
          busy += rep.busy_ms;
          last = rep;
        }
        const double wall = ms_since(t0);
        rates.push_back(done / (wall / 1000.0));
        per_sticker.push_back(busy / std::max(1, done));
      }
      for (auto& c : children) {
        ::close(c.go);
        ::close(c.out);
        ::waitpid(c.pid, nullptr, 0);
      }
      const auto rate = stickerd::bench::summarise(rates);
      const auto ms = stickerd::bench::summarise(per_sticker);
      if (o.json) {
        fmt::print(
            "{}{{\"style\":\"{}\",\"format\":{},\"procs\":{},\"count\":{},\"rounds\":{},"
            "\"stickers_per_s\":{{\"median\":{:.2f},\"min\":{:.2f},\"max\":{:.2f}}},"
            "\"ms_per_sticker\":{{\"median\":{:.2f},\"min\":{:.2f},\"max\":{:.2f}}},"
            "\"bytes\":[{},{},{},{}],\"failed\":{},\"construct_ms\":{:.1f},\"first_render_ms\":{:."
            "1f}}}",
            first_json ? "" : ",", style_id, static_cast<int>(o.format), n, o.count, o.rounds,
            rate.median, rate.min, rate.max, ms.median, ms.min, ms.max, last.bytes[0],
            last.bytes[1], last.bytes[2], last.bytes[3], failed, colds[0].construct_ms,
            colds[0].first_ms);
        first_json = false;
      } else {
        fmt::print(
            "{:<24} fmt={} procs={} : {:.1f} stickers/s [{:.1f}-{:.1f}]  {:.1f} ms/sticker "
            "[{:.1f}-{:.1f}]  bytes {}/{}/{}/{}  failed {}  cold: ctor {:.1f} ms, first render "
            "{:.1f} ms\n",
            style_id, static_cast<int>(o.format), n, rate.median, rate.min, rate.max, ms.median,
            ms.min, ms.max, last.bytes[0], last.bytes[1], last.bytes[2], last.bytes[3], failed,
            colds[0].construct_ms, colds[0].first_ms);
      }
    }
  }
  if (o.json) fmt::print("]\n");
  return 0;
}
