// pingpong: the floor under the master↔worker hop. Two processes exchange, over
// a socketpair, exactly the messages the daemon does (a ToWorker task out, a
// FromWorker result carrying a result-sized sticker back), with the same frame
// codec and blocking I/O, but no rendering. Whatever the daemon adds per
// sticker beyond render time is stated against this round trip.
//
// --relay puts a third process in the middle that forwards each frame, as
// the master stands between a client and a worker: the floor for a path of
// two hops, which is what a request through stickerd physically is.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "bench/args.h"
#include "bench/stats.h"
#include "common/frame_io.h"
#include "worker.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t bytes = 15000;
  int rounds = 20000;
  int warmup = 1000;
  bool json = false;
  bool relay = false;
};

Options parse(int argc, char** argv) {
  Options o;
  stickerd::bench::Args args(argc, argv);
  while (args.more()) {
    const std::string_view a = args.flag();
    if (a == "--bytes")
      o.bytes = std::strtoull(args.value().c_str(), nullptr, 10);
    else if (a == "--rounds")
      o.rounds = std::atoi(args.value().c_str());
    else if (a == "--warmup")
      o.warmup = std::atoi(args.value().c_str());
    else if (a == "--json")
      o.json = true;
    else if (a == "--relay")
      o.relay = true;
    else {
      fmt::print(stderr,
                 "usage: pingpong [--bytes N] [--rounds N] [--warmup N] [--relay] [--json]\n");
      std::exit(2);
    }
  }
  return o;
}

// The worker side: answer every task with a result of `bytes` payload.
[[noreturn]] void echo(int fd, std::size_t bytes) {
  stickerd::FrameDecoder decoder;
  stickerd::v1::FromWorker out;
  out.mutable_result()->mutable_sticker()->set_data(std::string(bytes, 'x'));
  out.mutable_result()->mutable_sticker()->set_format(stickerd::v1::FORMAT_WEBP);
  for (;;) {
    stickerd::v1::ToWorker in;
    if (stickerd::read_frame(fd, decoder, in) != stickerd::ReadStatus::kOk) std::_Exit(0);
    out.mutable_result()->set_task_id(in.task().task_id());
    if (!stickerd::write_frame(fd, out)) std::_Exit(1);
  }
}

// The middle process: each task down to the echo, each result back up.
[[noreturn]] void relay(int up, int down) {
  stickerd::FrameDecoder from_up;
  stickerd::FrameDecoder from_down;
  for (;;) {
    stickerd::v1::ToWorker task;
    if (stickerd::read_frame(up, from_up, task) != stickerd::ReadStatus::kOk) std::_Exit(0);
    stickerd::v1::FromWorker result;
    if (!stickerd::write_frame(down, task) ||
        stickerd::read_frame(down, from_down, result) != stickerd::ReadStatus::kOk ||
        !stickerd::write_frame(up, result)) {
      std::_Exit(1);
    }
  }
}

bool make_pair(int fds[2]) {
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0) return true;
  std::perror("socketpair");
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  int fds[2];
  if (!make_pair(fds)) return 1;
  std::vector<pid_t> children;
  if (o.relay) {
    int inner[2];
    if (!make_pair(inner)) return 1;
    const pid_t echo_pid = ::fork();
    if (echo_pid == 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      ::close(inner[0]);
      echo(inner[1], o.bytes);
    }
    const pid_t relay_pid = ::fork();
    if (relay_pid == 0) {
      ::close(fds[0]);
      ::close(inner[1]);
      relay(fds[1], inner[0]);
    }
    ::close(inner[0]);
    ::close(inner[1]);
    children = {echo_pid, relay_pid};
  } else {
    const pid_t echo_pid = ::fork();
    if (echo_pid == 0) {
      ::close(fds[0]);
      echo(fds[1], o.bytes);
    }
    children = {echo_pid};
  }
  ::close(fds[1]);
  const int fd = fds[0];
  stickerd::FrameDecoder decoder;
  stickerd::v1::ToWorker task;
  task.mutable_task()->set_text("Animated Sticker Bot");
  task.mutable_task()->set_style_id("bench-reference");
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(o.rounds));
  for (int i = 0; i < o.warmup + o.rounds; ++i) {
    task.mutable_task()->set_task_id(static_cast<std::uint64_t>(i));
    const auto t0 = Clock::now();
    stickerd::v1::FromWorker reply;
    if (!stickerd::write_frame(fd, task) ||
        stickerd::read_frame(fd, decoder, reply) != stickerd::ReadStatus::kOk ||
        reply.result().sticker().data().size() != o.bytes) {
      fmt::print(stderr, "ping-pong failed at round {}\n", i);
      return 1;
    }
    if (i >= o.warmup)
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  ::close(fd);
  for (pid_t child : children) ::waitpid(child, nullptr, 0);
  std::sort(us.begin(), us.end());
  const auto s = stickerd::bench::summarise(us);
  const double p99 = stickerd::bench::percentile(us, 99);
  if (o.json) {
    fmt::print(
        "{{\"relay\":{},\"bytes\":{},\"rounds\":{},\"median_us\":{:.2f},\"p25_us\":{:.2f},\"p75_"
        "us\":{:.2f},"
        "\"p99_us\":{:.2f},\"min_us\":{:.2f},\"max_us\":{:.2f}}}\n",
        o.relay, o.bytes, o.rounds, s.median, s.p25, s.p75, p99, s.min, s.max);
  } else {
    fmt::print(
        "pingpong{} {} B result frame, {} rounds: round trip median {:.1f} us [IQR {:.1f}-{:.1f}], "
        "p99 {:.1f} us, min {:.1f} us\n",
        o.relay ? " via a relay" : "", o.bytes, o.rounds, s.median, s.p25, s.p75, p99, s.min);
  }
  return 0;
}
