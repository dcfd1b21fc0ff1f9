// attack: what a hostile client costs everyone else. While N attacker
// connections send the most expensive frames the daemon accepts, a bystander
// connection times `stats` round trips; the same bystander without attackers,
// in the same run, is the baseline. Reports the bystander's median, p99 and
// worst round trip per attack, and how many attack frames the daemon took.
//
// Attacks (each the worst of its kind under the default limits):
//   batch     a batch naming as many empty style ids as fit in one request
//             frame (~32,700 in 64 KiB): parsed in full, then refused
//   garbage   a full-size frame of bytes that are no protobuf: refused with
//             an id-0 error and a close, so the attacker reconnects each time
//   oversize  a 16 MB length prefix: refused from the length, then closed
//
// Usage: attack --socket PATH [--attackers N] [--seconds S] [--kind K,...]
//               [--max-request-frame-kb N] [--json]
// Against a running daemon, e.g. bench/README.md "Hostile clients".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench/args.h"
#include "bench/stats.h"
#include "common/frame_io.h"
#include "common/unix_socket.h"
#include "stickerd.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string socket;
  int attackers = 4;
  double seconds = 5;
  std::vector<std::string> kinds = {"batch", "garbage", "oversize"};
  std::size_t max_frame = 64 << 10;
  bool json = false;
};

Options parse(int argc, char** argv) {
  Options o;
  stickerd::bench::Args args(argc, argv);
  while (args.more()) {
    const std::string_view a = args.flag();
    if (a == "--socket")
      o.socket = args.value();
    else if (a == "--attackers")
      o.attackers = std::atoi(args.value().c_str());
    else if (a == "--seconds")
      o.seconds = std::atof(args.value().c_str());
    else if (a == "--kind")
      o.kinds = stickerd::bench::split(args.value());
    else if (a == "--max-request-frame-kb")
      o.max_frame = std::strtoull(args.value().c_str(), nullptr, 10) << 10;
    else if (a == "--json")
      o.json = true;
    else
      o.socket.clear(), o.attackers = -1;
  }
  if (o.socket.empty() || o.attackers < 0) {
    fmt::print(stderr,
               "usage: attack --socket PATH [--attackers N] [--seconds S] "
               "[--kind batch,garbage,oversize] [--max-request-frame-kb N] [--json]\n");
    std::exit(2);
  }
  return o;
}

std::string length_prefix(std::uint32_t n) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out;
}

// The bytes one attack sends per round: a whole frame, or just a header.
std::string attack_bytes(std::string_view kind, std::size_t max_frame) {
  if (kind == "batch") {
    stickerd::v1::Request r;
    r.set_id(1);
    r.mutable_batch()->set_text("x");
    // Each empty style id costs two bytes on the wire; stop below the cap.
    while (r.ByteSizeLong() + 2 <= max_frame) r.mutable_batch()->add_style_ids("");
    return stickerd::encode_frame(r);
  }
  if (kind == "garbage")
    return length_prefix(static_cast<std::uint32_t>(max_frame)) + std::string(max_frame, '\xff');
  if (kind == "oversize") return length_prefix(16u << 20);
  fmt::print(stderr, "unknown attack {}\n", kind);
  std::exit(2);
}

// One attacker: send, wait for the refusal, reconnect when closed; counts rounds.
void attacker(const Options& o, const std::string& bytes, const std::atomic<bool>& stop,
              std::atomic<long>& rounds) {
  while (!stop) {
    auto fd = stickerd::connect_unix(o.socket);
    if (!fd) return;
    stickerd::FrameDecoder decoder;
    while (!stop) {
      if (!stickerd::write_all(fd->get(), bytes)) break;
      stickerd::v1::Reply reply;
      if (stickerd::read_frame(fd->get(), decoder, reply) != stickerd::ReadStatus::kOk) break;
      ++rounds;
      if (reply.id() == 0) break;  // an id-0 error: the daemon closes this connection
    }
  }
}

// The bystander: `stats` round trips on one connection for `seconds`, in ms.
std::vector<double> probe(const Options& o) {
  auto fd = stickerd::connect_unix(o.socket);
  if (!fd) {
    fmt::print(stderr, "{}\n", fd.error().message);
    std::exit(1);
  }
  stickerd::FrameDecoder decoder;
  std::vector<double> ms;
  const auto end = Clock::now() + std::chrono::duration<double>(o.seconds);
  for (std::uint64_t id = 1; Clock::now() < end; ++id) {
    stickerd::v1::Request r;
    r.set_id(id);
    r.mutable_stats();
    const auto t0 = Clock::now();
    stickerd::v1::Reply reply;
    if (!stickerd::write_frame(fd->get(), r) ||
        stickerd::read_frame(fd->get(), decoder, reply) != stickerd::ReadStatus::kOk ||
        !reply.has_stats()) {
      fmt::print(stderr, "the bystander's stats failed\n");
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return ms;
}

// One line per attack; with --json, one JSON object per line.
void report(const Options& o, std::string_view what, const std::vector<double>& ms, long rounds) {
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const auto s = stickerd::bench::summarise(ms);
  const double p99 = stickerd::bench::percentile(sorted, 99);
  const double rate = static_cast<double>(rounds) / o.seconds;
  if (o.json) {
    fmt::print(
        "{{\"attack\": \"{}\", \"median_ms\": {:.3f}, \"p99_ms\": {:.3f}, \"max_ms\": {:.3f}, "
        "\"probes\": {}, \"attack_frames_per_s\": {:.0f}}}\n",
        what, s.median, p99, s.max, ms.size(), rate);
    return;
  }
  fmt::print(
      "{:<10} bystander stats: median {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms  ({} probes)  "
      "attack frames {:8.0f}/s\n",
      what, s.median, p99, s.max, ms.size(), rate);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (!o.json) {
    fmt::print("{} attackers, {} s per attack, request frames up to {} bytes\n", o.attackers,
               o.seconds, o.max_frame);
  }
  report(o, "none", probe(o), 0);
  for (const std::string& kind : o.kinds) {
    const std::string bytes = attack_bytes(kind, o.max_frame);
    std::atomic<bool> stop{false};
    std::atomic<long> rounds{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < o.attackers; ++i) {
      threads.emplace_back([&] { attacker(o, bytes, stop, rounds); });
    }
    const std::vector<double> ms = probe(o);
    stop = true;
    for (auto& t : threads) t.join();
    report(o, kind, ms, rounds.load());
  }
  return 0;
}
