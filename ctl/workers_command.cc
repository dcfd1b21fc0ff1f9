// stickerctl workers / top: the worker table from the control socket, once
// or refreshed every second until q, Ctrl-C or the end of input.
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>

#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/report.h"

namespace stickerd::ctl {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

std::string human_bytes(std::uint64_t bytes) {
  if (bytes >= (1u << 20))
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1u << 20));
  return fmt::format("{} KiB", bytes >> 10);
}

// "crash (signal SIGKILL)", "restart (exit code 0)", or "-" before any exit.
std::string last_exit(const v1::WorkerInfo& w) {
  if (w.last_exit_reason().empty()) return "-";
  if (w.last_exit_status().empty()) return w.last_exit_reason();
  return fmt::format("{} ({})", w.last_exit_reason(), w.last_exit_status());
}

void print_workers(const v1::WorkerList& list) {
  fmt::print("{} workers configured{}\n", list.configured(), list.draining() ? " (draining)" : "");
  fmt::print("{:>4}  {:>8}  {:<9} {:>10}  {:>10}  {:>9}  {:<16}  {}\n", "slot", "pid", "state",
             "tasks", "rss", "uptime", "sandbox", "last exit");
  for (const auto& w : list.workers()) {
    fmt::print("{:>4}  {:>8}  {:<9} {:>10}  {:>10}  {:>8.0f}s  {:<16}  {}\n", w.slot(),
               w.pid() > 0 ? std::to_string(w.pid()) : std::string("-"), w.state(), w.tasks_done(),
               human_bytes(w.rss_bytes()), w.uptime_seconds(),
               w.sandbox().empty() ? std::string("-") : w.sandbox(), last_exit(w));
  }
}

Result<v1::Reply> ask(Client& client, std::uint64_t id, void (*fill)(v1::Request&)) {
  v1::Request request;
  request.set_id(id);
  fill(request);
  return call(client, request);
}

// Puts the terminal in non-canonical mode (single keys, no echo) while alive.
class RawTerminal {
 public:
  RawTerminal() {
    if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios raw = saved_;
      raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  ~RawTerminal() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

// Waits up to `ms` for a key: true when the user asked to quit (q, Ctrl-C,
// or stdin at its end, so `stickerctl top < /dev/null` prints one frame).
bool wait_quit(int ms) {
  pollfd p{STDIN_FILENO, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return g_interrupted != 0;
  char c = 0;
  const ssize_t n = ::read(STDIN_FILENO, &c, 1);
  return n <= 0 || c == 'q' || c == 'Q' || g_interrupted != 0;
}

}  // namespace

int run_workers(Client& client, const Options& options) {
  auto reply = ask(client, 1, [](v1::Request& r) { r.mutable_workers(); });
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_workers())
    return report_transport_failure("the daemon's reply holds no worker list");
  if (options.json) {
    if (!print_json(reply->workers()))
      return report_transport_failure("cannot print workers as JSON");
  } else {
    print_workers(reply->workers());
  }
  return kExitOk;
}

int run_top(Client& client, const Options& options) {
  std::signal(SIGINT, [](int) { g_interrupted = 1; });
  RawTerminal terminal;
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  for (std::uint64_t id = 1;; id += 2) {
    auto workers = ask(client, id, [](v1::Request& r) { r.mutable_workers(); });
    if (!workers) return report_transport_failure(workers.error().message);
    if (workers->has_error()) return report_error(from_proto(workers->error()));
    auto stats = ask(client, id + 1, [](v1::Request& r) { r.mutable_stats(); });
    if (!stats) return report_transport_failure(stats.error().message);
    if (stats->has_error()) return report_error(from_proto(stats->error()));
    if (options.json) {
      // One JSON object per refresh, one per line's worth: workers, then stats.
      if (!print_json(workers->workers()) || !print_json(stats->stats())) {
        return report_transport_failure("cannot print as JSON");
      }
    } else {
      if (tty) fmt::print("\x1b[H\x1b[2J");  // home, clear
      const v1::Stats& s = stats->stats();
      fmt::print(
          "stickerd  up {:.0f}s  queue {}/{}  done {}  failed {}  restarts {}  "
          "connections {}\n\n",
          s.uptime_seconds(), s.queue_size(), s.queue_capacity(), s.tasks_completed(),
          s.tasks_failed(), s.restarts(), s.connections());
      print_workers(workers->workers());
      if (tty) fmt::print("\nq or Ctrl-C quits\n");
    }
    std::fflush(stdout);
    if (wait_quit(1000)) return kExitOk;
  }
}

}  // namespace stickerd::ctl
