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
#include <sys/resource.h>
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

#include "bench/args.h"
#include "bench/stats.h"
#include "bench/workload.h"
#include "common/frame_io.h"
#include "common/unix_socket.h"
#include "stickerd.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace stickerd;

using bench::kTexts;

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
  std::uint64_t count = 0;  // > 0, closed loop: stop sending after this many requests (a soak)
};

[[noreturn]] void usage() {
  fmt::print(
      stderr,
      "usage: loadgen --socket PATH [--connections K] [--depth D] [--rate R] [--duration S]\n"
      "               [--warmup S] [--style ID] [--batch-styles a,b,..] [--text ref|unique|same]\n"
      "               [--format webp|webp_animated|png|tgs|webm] [--priority "
      "interactive|batch|background]\n"
      "               [--profile telegram|whatsapp|none|default]\n"
      "               [--count N] [--label NAME] [--json]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  bench::Args args(argc, argv);
  while (args.more()) {
    const std::string_view a = args.flag();
    if (a == "--socket")
      o.socket = args.value();
    else if (a == "--connections")
      o.connections = std::atoi(args.value().c_str());
    else if (a == "--depth")
      o.depth = std::atoi(args.value().c_str());
    else if (a == "--rate")
      o.rate = std::atof(args.value().c_str());
    else if (a == "--duration")
      o.duration_s = std::atof(args.value().c_str());
    else if (a == "--warmup")
      o.warmup_s = std::atof(args.value().c_str());
    else if (a == "--style")
      o.style = args.value();
    else if (a == "--batch-styles")
      o.batch_styles = bench::split(args.value());
    else if (a == "--text")
      o.text_mode = args.value();
    else if (a == "--label")
      o.label = args.value();
    else if (a == "--json")
      o.json = true;
    else if (a == "--profile")
      o.profile = bench::parse_profile(args.value());
    else if (a == "--wait-ready")
      o.wait_ready_s = std::atof(args.value().c_str());
    else if (a == "--count")
      o.count = std::strtoull(args.value().c_str(), nullptr, 10);
    else if (a == "--format")
      o.format = bench::parse_format(args.value());
    else if (a == "--priority") {
      const auto p = args.value();
      o.priority = p == "batch"        ? v1::PRIORITY_BATCH
                   : p == "background" ? v1::PRIORITY_BACKGROUND
                                       : v1::PRIORITY_INTERACTIVE;
    } else
      usage();
  }
  if (o.socket.empty() || o.connections < 1 || o.depth < 1) usage();
  return o;
}

// Everything the measuring threads record, behind one mutex (replies arrive
// at most a few thousand per second; contention is not the bottleneck).
struct Recorder {
  std::mutex mutex;
  std::vector<double> latency_ms;
  std::vector<double> error_ms;  // replies with an error (rejections): how fast they come
  std::map<std::string, std::uint64_t> errors;
  std::uint64_t ok = 0;
  std::uint64_t bytes = 0;
  std::uint64_t render_us = 0;  // the workers' own time, as the stickers report it
  void record(const v1::Reply& reply, double ms) {
    std::lock_guard lock(mutex);
    if (reply.has_error()) {
      ++errors[v1::ErrorCode_Name(reply.error().code())];
      error_ms.push_back(ms);
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
    std::string text =
        o_.text_mode == "same" ? std::string(kTexts[0]) : std::string(kTexts[n % kTexts.size()]);
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
  if (!write_frame(fd->get(), req) || read_frame(fd->get(), decoder, reply) != ReadStatus::kOk)
    return {};
  return reply.stats();
}

}  // namespace

// Polls stats until the daemon answers and every configured worker is READY.
int wait_ready(const Options& o) {
  const auto start = Clock::now();
  const auto give_up = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(o.wait_ready_s));
  while (Clock::now() < give_up) {
    const v1::Stats s = fetch_stats(o.socket);
    if (s.total_workers() > 0 && s.ready_workers() == s.total_workers()) {
      fmt::print("{{\"ready_ms\":{:.1f},\"workers\":{}}}\n",
                 std::chrono::duration<double, std::milli>(Clock::now() - start).count(),
                 s.total_workers());
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
  // The client's own CPU over the run: near one core per reader thread means
  // loadgen, not the daemon, limits the rate.
  rusage usage_start{};
  ::getrusage(RUSAGE_SELF, &usage_start);
  const auto t_start = Clock::now();
  const auto t_measure = t_start + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(o.warmup_s));
  const auto t_end = t_measure + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(o.duration_s));
  // The daemon's counters when measuring starts, fetched on a thread of their
  // own: a reader that fetched them would hold back the replies behind it
  // (that was most of the rejections' p99 at 200 % load).
  v1::Stats before;
  std::thread stats_before([&] {
    std::this_thread::sleep_until(t_measure);
    before = fetch_stats(o.socket);
  });

  // Per connection: the send time (scheduled, for open loop) of each id in flight.
  struct Conn {
    std::mutex mutex;
    std::map<std::uint64_t, Clock::time_point> sent;
    std::uint64_t next_id = 1;
  };
  std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
  std::atomic<std::uint64_t> in_flight{0};
  // Requests sent after a reply, against --count (the first K x D are extra).
  std::atomic<std::uint64_t> sent_total{0};

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
        if (open_loop) {
          if (now >= t_end && conns[c].sent.empty()) return;
          continue;
        }
        if (now < t_end && (o.count == 0 || sent_total.fetch_add(1) < o.count)) {
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
      const auto when =
          t_start + std::chrono::duration_cast<Clock::duration>(gap * static_cast<double>(i));
      if (when >= t_end) break;
      std::this_thread::sleep_until(when);
      if (!send(i % fds.size(), when)) break;
    }
    // Readers exit once their last reply is in; give a stuck daemon a bound.
    const auto give_up = Clock::now() + std::chrono::seconds(60);
    while (in_flight.load() > 0 && Clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (auto& fd : fds) ::shutdown(fd.get(), SHUT_RDWR);
  }
  for (auto& t : readers) t.join();
  stats_before.join();
  const v1::Stats after = fetch_stats(o.socket);
  // A --count run can end before --duration: rate over the time it really took.
  const double window =
      std::chrono::duration<double>(std::min(Clock::now(), t_end) - t_measure).count();

  rusage usage_end{};
  ::getrusage(RUSAGE_SELF, &usage_end);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  const double client_cpu = (seconds(usage_end.ru_utime) + seconds(usage_end.ru_stime) -
                             seconds(usage_start.ru_utime) - seconds(usage_start.ru_stime)) /
                            std::chrono::duration<double>(Clock::now() - t_start).count();
  std::sort(rec.latency_ms.begin(), rec.latency_ms.end());
  std::sort(rec.error_ms.begin(), rec.error_ms.end());
  const auto& el = rec.error_ms;
  const auto& l = rec.latency_ms;
  using bench::percentile;
  std::uint64_t errors = 0;
  for (const auto& [code, n] : rec.errors) errors += n;
  const double tput = static_cast<double>(rec.ok) / window;
  const long tasks =
      static_cast<long>(after.tasks_completed()) - static_cast<long>(before.tasks_completed());
  const long hits = static_cast<long>(after.cache_hits()) - static_cast<long>(before.cache_hits());
  if (o.json) {
    std::string errs;
    for (const auto& [code, n] : rec.errors)
      errs += fmt::format("{}\"{}\":{}", errs.empty() ? "" : ",", code, n);
    fmt::print(
        "{{\"label\":\"{}\",\"mode\":\"{}\",\"connections\":{},\"depth\":{},\"rate\":{},\"duration_"
        "s\":{},"
        "\"ok\":{},\"throughput\":{:.2f},\"p50_ms\":{:.4f},\"p90_ms\":{:.4f},\"p99_ms\":{:.4f},"
        "\"p999_ms\":{:.4f},\"max_ms\":{:.4f},\"mean_bytes\":{},\"errors\":{{{}}},"
        "\"daemon_tasks_completed\":{},\"daemon_cache_hits\":{},\"mean_render_ms\":{:.2f},"
        "\"error_p50_ms\":{:.3f},\"error_p99_ms\":{:.3f},\"error_max_ms\":{:.3f},\"client_cpu_"
        "cores\":{:.2f}}}\n",
        o.label, open_loop ? "open" : "closed", o.connections, o.depth, o.rate, window, rec.ok,
        tput, percentile(l, 50), percentile(l, 90), percentile(l, 99), percentile(l, 99.9),
        l.empty() ? 0 : l.back(), rec.ok ? rec.bytes / rec.ok : 0, errs, tasks, hits,
        rec.ok ? static_cast<double>(rec.render_us) / 1000.0 / static_cast<double>(rec.ok) : 0.0,
        percentile(el, 50), percentile(el, 99), el.empty() ? 0 : el.back(), client_cpu);
  } else {
    fmt::print(
        "{} {} loop, {} conn x {} {}: {} ok in {:.1f} s = {:.1f}/s; latency ms p50 {:.1f} p90 "
        "{:.1f} "
        "p99 {:.1f} p99.9 {:.1f} max {:.1f}; errors {}",
        o.label, open_loop ? "open" : "closed", o.connections, o.depth,
        open_loop ? fmt::format("at {}/s", o.rate) : std::string("in flight"), rec.ok, window, tput,
        percentile(l, 50), percentile(l, 90), percentile(l, 99), percentile(l, 99.9),
        l.empty() ? 0 : l.back(), errors);
    for (const auto& [code, n] : rec.errors) fmt::print(" {}={}", code, n);
    fmt::print("; error replies ms p50 {:.2f} p99 {:.2f}", percentile(el, 50), percentile(el, 99));
    fmt::print(
        "; daemon: {} tasks, {} cache hits; worker render time {:.1f} ms per sticker; client CPU "
        "{:.2f} cores\n",
        tasks, hits,
        rec.ok ? static_cast<double>(rec.render_us) / 1000.0 / static_cast<double>(rec.ok) : 0.0,
        client_cpu);
  }
  return 0;
}
