// loadgen: load against a running stickerd socket.
//
// Closed loop (default): K connections each keep D requests in flight; a reply
// immediately sends the next request. Throughput is what the daemon sustains.
// Open loop (--rate R): requests are sent on a fixed schedule, R per second in
// all, whatever the replies do; latency is measured from the *scheduled* send
// time, so a stalled daemon shows up as latency rather than as a slower
// sender (no coordinated omission).
//
// Requests sent during --warmup seconds are not counted. The report gives
// throughput, latency percentiles, counts per error code and the daemon's
// own stats delta (tasks run, cache hits) over the measured window.
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench/stats.h"
#include "common/frame_io.h"
#include "common/unix_socket.h"
#include "stickerd.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace stickerd;

constexpr std::string_view kTexts[] = {"Hello", "Привет, мир!", "stickerd is fast", "Animated Sticker Bot 🎉"};

struct Options {
  std::string socket;
  int connections = 2;
  int depth = 1;
  double rate = 0;  // > 0: open loop
  double duration_s = 10;
  double warmup_s = 2;
  std::string style;
  std::vector<std::string> batch_styles;  // non-empty: batch requests
  std::string text_mode = "ref";          // ref | unique | same
  v1::Format format = v1::FORMAT_UNSPECIFIED;
  v1::Priority priority = v1::PRIORITY_UNSPECIFIED;
  v1::Profile profile = v1::PROFILE_UNSPECIFIED;
  std::string label;
  bool json = false;
  double wait_ready_s = 0;  // > 0: only wait until every worker is READY, then exit
};

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    const auto end = comma == std::string_view::npos ? s.size() : comma;
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

[[noreturn]] void usage() {
  fmt::print(stderr,
             "usage: loadgen --socket PATH [--connections K] [--depth D] [--rate R] [--duration S]\n"
             "               [--warmup S] [--style ID] [--batch-styles a,b,..] [--text ref|unique|same]\n"
             "               [--format webp|webp_animated|png|tgs] [--priority interactive|batch|background]\n"
             "               [--profile telegram|whatsapp|none]\n"
             "               [--label NAME] [--json]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--socket") o.socket = next();
    else if (a == "--connections") o.connections = std::atoi(next().c_str());
    else if (a == "--depth") o.depth = std::atoi(next().c_str());
    else if (a == "--rate") o.rate = std::atof(next().c_str());
    else if (a == "--duration") o.duration_s = std::atof(next().c_str());
    else if (a == "--warmup") o.warmup_s = std::atof(next().c_str());
    else if (a == "--style") o.style = next();
    else if (a == "--batch-styles") o.batch_styles = split(next());
    else if (a == "--text") o.text_mode = next();
    else if (a == "--label") o.label = next();
    else if (a == "--json") o.json = true;
    else if (a == "--profile") {
      const auto p = next();
      o.profile = p == "telegram" ? v1::PROFILE_TELEGRAM
                  : p == "whatsapp" ? v1::PROFILE_WHATSAPP
                  : p == "none" ? v1::PROFILE_NONE
                                : v1::PROFILE_UNSPECIFIED;
    } else if (a == "--wait-ready") o.wait_ready_s = std::atof(next().c_str());
    else if (a == "--format") {
      const auto f = next();
      o.format = f == "webp" ? v1::FORMAT_WEBP
                 : f == "webp_animated" ? v1::FORMAT_WEBP_ANIMATED
                 : f == "png" ? v1::FORMAT_PNG
                 : f == "tgs" ? v1::FORMAT_TGS
                              : v1::FORMAT_UNSPECIFIED;
    } else if (a == "--priority") {
      const auto p = next();
      o.priority = p == "batch" ? v1::PRIORITY_BATCH
                   : p == "background" ? v1::PRIORITY_BACKGROUND
                                       : v1::PRIORITY_INTERACTIVE;
    } else usage();
  }
  if (o.socket.empty() || o.connections < 1 || o.depth < 1) usage();
  return o;
}

// Everything the measuring threads record, behind one mutex (replies arrive
// at most a few thousand per second; contention is not the bottleneck).
struct Recorder {
  std::mutex mutex;
  std::vector<double> latency_ms;
  std::map<std::string, std::uint64_t> errors;
  std::uint64_t ok = 0;
  std::uint64_t bytes = 0;
  std::uint64_t render_us = 0;  // the workers' own time, as the stickers report it
  void record(const v1::Reply& reply, double ms) {
    std::lock_guard lock(mutex);
    if (reply.has_error()) {
      ++errors[v1::ErrorCode_Name(reply.error().code())];
      return;
    }
    latency_ms.push_back(ms);
    ++ok;
    if (reply.has_sticker()) {
      bytes += reply.sticker().data().size();
      render_us += reply.sticker().render_us();
    }
  }
};

class Generator {
 public:
  explicit Generator(const Options& o) : o_(o) {}

  v1::Request make(std::uint64_t id) {
    const std::uint64_t n = counter_.fetch_add(1);
    std::string text = o_.text_mode == "same" ? std::string(kTexts[0]) : std::string(kTexts[n % 4]);
    if (o_.text_mode == "unique") text += fmt::format(" {}", n);
    v1::Request r;
    r.set_id(id);
    if (!o_.batch_styles.empty()) {
      auto* b = r.mutable_batch();
      b->set_text(text);
      for (const auto& s : o_.batch_styles) b->add_style_ids(s);
      b->set_format(o_.format);
      b->set_priority(o_.priority);
      b->set_profile(o_.profile);
    } else {
      auto* q = r.mutable_render();
      q->set_text(text);
      q->set_style_id(o_.style);
      q->set_format(o_.format);
      q->set_priority(o_.priority);
      q->set_profile(o_.profile);
    }
    return r;
  }

 private:
  const Options& o_;
  std::atomic<std::uint64_t> counter_{0};
};

bool is_final(const v1::Reply& r) { return !r.has_batch_item(); }

v1::Stats fetch_stats(const std::string& socket) {
  auto fd = connect_unix(socket);
  if (!fd) return {};
  v1::Request req;
  req.set_id(1);
  req.mutable_stats();
  FrameDecoder decoder;
  v1::Reply reply;
  if (!write_frame(fd->get(), req) || read_frame(fd->get(), decoder, reply) != ReadStatus::kOk) return {};
  return reply.stats();
}

}  // namespace

// Polls stats until the daemon answers and every configured worker is READY.
int wait_ready(const Options& o) {
  const auto start = Clock::now();
  const auto give_up = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.wait_ready_s));
  while (Clock::now() < give_up) {
    const v1::Stats s = fetch_stats(o.socket);
    if (s.total_workers() > 0 && s.ready_workers() == s.total_workers()) {
      fmt::print("{{\"ready_ms\":{:.1f},\"workers\":{}}}\n",
                 std::chrono::duration<double, std::milli>(Clock::now() - start).count(), s.total_workers());
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  fmt::print(stderr, "the daemon at {} was not ready within {} s\n", o.socket, o.wait_ready_s);
  return 1;
}

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (o.wait_ready_s > 0) return wait_ready(o);
  Generator gen(o);
  Recorder rec;
  std::vector<UniqueFd> fds;
  for (int i = 0; i < o.connections; ++i) {
    auto fd = connect_unix(o.socket);
    if (!fd) {
      fmt::print(stderr, "{}\n", fd.error().message);
      return 1;
    }
    fds.push_back(std::move(*fd));
  }
  const auto t_start = Clock::now();
  const auto t_measure = t_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup_s));
  const auto t_end = t_measure + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  v1::Stats before;
  std::atomic<bool> stats_taken{false};
  std::mutex stats_mutex;
  auto take_before = [&] {
    std::lock_guard lock(stats_mutex);
    if (!stats_taken.exchange(true)) before = fetch_stats(o.socket);
  };

  // Per connection: the send time (scheduled, for open loop) of each id in flight.
  struct Conn {
    std::mutex mutex;
    std::map<std::uint64_t, Clock::time_point> sent;
    std::uint64_t next_id = 1;
  };
  std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
  std::atomic<std::uint64_t> in_flight{0};

  auto send = [&](std::size_t c, Clock::time_point when) {
    Conn& conn = conns[c];
    std::uint64_t id;
    {
      std::lock_guard lock(conn.mutex);
      id = conn.next_id++;
      conn.sent[id] = when;
    }
    ++in_flight;
    return write_frame(fds[c].get(), gen.make(id));
  };

  std::vector<std::thread> readers;
  const bool open_loop = o.rate > 0;
  for (std::size_t c = 0; c < fds.size(); ++c) {
    readers.emplace_back([&, c] {
      FrameDecoder decoder;
      if (!open_loop) {
        for (int d = 0; d < o.depth; ++d) send(c, Clock::now());
      }
      for (;;) {
        v1::Reply reply;
        if (read_frame(fds[c].get(), decoder, reply) != ReadStatus::kOk) return;
        if (!is_final(reply)) continue;
        const auto now = Clock::now();
        Clock::time_point sent_at;
        {
          std::lock_guard lock(conns[c].mutex);
          auto it = conns[c].sent.find(reply.id());
          if (it == conns[c].sent.end()) continue;
          sent_at = it->second;
          conns[c].sent.erase(it);
        }
        --in_flight;
        if (sent_at >= t_measure && now <= t_end) {
          rec.record(reply, std::chrono::duration<double, std::milli>(now - sent_at).count());
        }
        if (now >= t_measure) take_before();
        if (open_loop) {
          if (now >= t_end && conns[c].sent.empty()) return;
          continue;
        }
        if (now < t_end) {
          if (!send(c, now)) return;
        } else {
          std::lock_guard lock(conns[c].mutex);
          if (conns[c].sent.empty()) return;
        }
      }
    });
  }
  if (open_loop) {
    const auto gap = std::chrono::duration<double>(1.0 / o.rate);
    std::uint64_t i = 0;
    for (;; ++i) {
      const auto when = t_start + std::chrono::duration_cast<Clock::duration>(gap * static_cast<double>(i));
      if (when >= t_end) break;
      std::this_thread::sleep_until(when);
      if (!send(i % fds.size(), when)) break;
    }
    // Readers exit once their last reply is in; give a stuck daemon a bound.
    const auto give_up = Clock::now() + std::chrono::seconds(60);
    while (in_flight.load() > 0 && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (auto& fd : fds) ::shutdown(fd.get(), SHUT_RDWR);
  }
  for (auto& t : readers) t.join();
  take_before();
  const v1::Stats after = fetch_stats(o.socket);
  const double window = o.duration_s;

  std::sort(rec.latency_ms.begin(), rec.latency_ms.end());
  const auto& l = rec.latency_ms;
  using bench::percentile;
  std::uint64_t errors = 0;
  for (const auto& [code, n] : rec.errors) errors += n;
  const double tput = static_cast<double>(rec.ok) / window;
  const long tasks = static_cast<long>(after.tasks_completed()) - static_cast<long>(before.tasks_completed());
  const long hits = static_cast<long>(after.cache_hits()) - static_cast<long>(before.cache_hits());
  if (o.json) {
    std::string errs;
    for (const auto& [code, n] : rec.errors) errs += fmt::format("{}\"{}\":{}", errs.empty() ? "" : ",", code, n);
    fmt::print("{{\"label\":\"{}\",\"mode\":\"{}\",\"connections\":{},\"depth\":{},\"rate\":{},\"duration_s\":{},"
               "\"ok\":{},\"throughput\":{:.2f},\"p50_ms\":{:.2f},\"p90_ms\":{:.2f},\"p99_ms\":{:.2f},"
               "\"p999_ms\":{:.2f},\"max_ms\":{:.2f},\"mean_bytes\":{},\"errors\":{{{}}},"
               "\"daemon_tasks_completed\":{},\"daemon_cache_hits\":{},\"mean_render_ms\":{:.2f}}}\n",
               o.label, open_loop ? "open" : "closed", o.connections, o.depth, o.rate, window, rec.ok, tput,
               percentile(l, 50), percentile(l, 90), percentile(l, 99), percentile(l, 99.9),
               l.empty() ? 0 : l.back(), rec.ok ? rec.bytes / rec.ok : 0, errs, tasks, hits,
               rec.ok ? static_cast<double>(rec.render_us) / 1000.0 / static_cast<double>(rec.ok) : 0.0);
  } else {
    fmt::print("{} {} loop, {} conn x {} {}: {} ok in {:.1f} s = {:.1f}/s; latency ms p50 {:.1f} p90 {:.1f} "
               "p99 {:.1f} p99.9 {:.1f} max {:.1f}; errors {}",
               o.label, open_loop ? "open" : "closed", o.connections, o.depth,
               open_loop ? fmt::format("at {}/s", o.rate) : std::string("in flight"), rec.ok, window, tput,
               percentile(l, 50), percentile(l, 90), percentile(l, 99), percentile(l, 99.9),
               l.empty() ? 0 : l.back(), errors);
    for (const auto& [code, n] : rec.errors) fmt::print(" {}={}", code, n);
    fmt::print("; daemon: {} tasks, {} cache hits; worker render time {:.1f} ms per sticker\n", tasks, hits,
               rec.ok ? static_cast<double>(rec.render_us) / 1000.0 / static_cast<double>(rec.ok) : 0.0);
  }
  return 0;
}
