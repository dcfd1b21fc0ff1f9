// The workers' sandbox (worker/sandbox.h, docs/SECURITY.md) against a real
// daemon: every worker is locked down before READY, each break-out attempt of
// the test-escape style fails or kills only its own worker (SIGSYS, counted
// and logged as "sandbox", the request poisoned), and the pool keeps serving.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/integration/harness.h"
#include "tests/integration/ops_support.h"

namespace stickerd::itest {
namespace {

v1::Request escape(std::uint64_t id, const std::string& attempt) {
  return render_request(id, attempt, "test-escape");
}

bool is_error(const v1::Reply& reply, v1::ErrorCode code) {
  return reply.has_error() && reply.error().code() == code;
}

// Whether the daemon's workers have Landlock too (the kernel may lack it).
bool workers_have_landlock(const Daemon& daemon) {
  const v1::WorkerList list = worker_list(daemon);
  for (const auto& w : list.workers()) {
    if (w.sandbox() != "seccomp+landlock") return false;
  }
  return true;
}

// label -> sentence, from docs/scripts.tsv (one sentence per living script).
std::vector<std::pair<std::string, std::string>> script_sentences() {
  std::istringstream in(read_file(binary_path("STICKERD_SOURCE_ROOT") + "/docs/scripts.tsv"));
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
    out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}

// The soft and hard values of one limit in /proc/<pid>/limits ("Max open files").
std::string limit_of(pid_t pid, const std::string& name) {
  std::istringstream in(read_file(fmt::format("/proc/{}/limits", pid)));
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(name)) continue;
    std::istringstream values(line.substr(name.size()));
    std::string soft, hard;
    values >> soft >> hard;
    return soft + " " + hard;
  }
  return "";
}

}  // namespace

// The proof that the allow-list is complete: a call it lacks would kill a
// worker with SIGSYS, which shows as a failed render and a restart.
TEST_CASE("every style in every format, and every script, renders on sandboxed workers") {
  auto daemon =
      start_daemon({.workers = 2, .queue_size = 1000, .extra_args = {"--deadline-ms", "600000"}});
  const v1::StyleList styles = list_styles(*daemon);
  REQUIRE(styles.styles_size() > 0);
  struct Job {
    std::string what;
    v1::Request request;
  };
  std::vector<Job> jobs;
  const auto add = [&](std::string what, const std::string& text, const std::string& style,
                       v1::Format format) {
    v1::Request r = render_request(jobs.size() + 1, unique_text(text), style, format);
    r.mutable_render()->set_profile(v1::PROFILE_NONE);  // no size cap, every format
    jobs.push_back({std::move(what), std::move(r)});
  };
  std::string animated;  // a style that offers both TGS and animated WebP
  for (const v1::StyleInfo& style : styles.styles()) {
    for (int f : style.formats()) {
      add(fmt::format("{} {}", style.id(), v1::Format_Name(f)), "Sandbox Привет 🎉", style.id(),
          static_cast<v1::Format>(f));
    }
    const auto& f = style.formats();
    // Every animated style is also a WEBM here: libvpx runs sandboxed too.
    const bool moves = std::find(f.begin(), f.end(), v1::FORMAT_WEBP_ANIMATED) != f.end();
    const bool video = std::find(f.begin(), f.end(), v1::FORMAT_WEBM) != f.end();
    CHECK_MESSAGE(video == moves, style.id(), ": a WEBM exactly where it animates");
    if (animated.empty() && std::find(f.begin(), f.end(), v1::FORMAT_TGS) != f.end() &&
        std::find(f.begin(), f.end(), v1::FORMAT_WEBP_ANIMATED) != f.end()) {
      animated = style.id();
    }
  }
  REQUIRE(!animated.empty());
  const auto scripts = script_sentences();
  REQUIRE(scripts.size() > 40);
  for (const auto& [label, sentence] : scripts) {
    add(label + " webp", sentence, styles.default_style(), v1::FORMAT_WEBP);
    add(label + " animated webp", sentence, animated, v1::FORMAT_WEBP_ANIMATED);
    add(label + " tgs", sentence, animated, v1::FORMAT_TGS);
  }

  Client client(daemon->socket_path());
  std::string frames;
  for (const Job& job : jobs) append_frame(job.request, frames);
  client.send_raw(frames);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const v1::Reply reply = client.receive(600s);
    REQUIRE(reply.id() >= 1);
    REQUIRE(reply.id() <= jobs.size());
    CHECK_MESSAGE(reply.has_sticker(), jobs[reply.id() - 1].what, ": ", describe(reply));
  }
  CHECK(daemon->stats().restarts() == 0);  // no worker met SIGSYS
  for (pid_t pid : daemon->worker_pids()) {
    CHECK(read_file(fmt::format("/proc/{}/status", pid)).find("Seccomp:\t2\n") !=
          std::string::npos);
  }
}

TEST_CASE(
    "every worker is sandboxed before READY: Seccomp 2, NoNewPrivs 1, its limits, shown by "
    "stickerctl") {
  auto daemon = start_daemon({.workers = 2});
  const std::vector<pid_t> pids = daemon->worker_pids();
  REQUIRE(pids.size() == 2);
  for (pid_t pid : pids) {
    const std::string status = read_file(fmt::format("/proc/{}/status", pid));
    INFO("pid ", pid, "\n", status);
    CHECK(status.find("Seccomp:\t2\n") != std::string::npos);  // a filter is installed
    CHECK(status.find("NoNewPrivs:\t1\n") != std::string::npos);
    // Its own limits (worker/resource_limits.h). RLIMIT_FSIZE stays: the
    // harness sends the workers' log to a file.
    CHECK(limit_of(pid, "Max open files") == "32 32");
    CHECK(limit_of(pid, "Max core file size") == "0 0");
  }
  const v1::WorkerList list = worker_list(*daemon);
  for (const auto& w : list.workers()) {
    CHECK_MESSAGE(w.sandbox().starts_with("seccomp"), "slot ", w.slot(), ": ", w.sandbox());
  }
  const CtlRun table =
      run_stickerctl({"--control-socket", control_socket(*daemon), "workers"}, daemon->dir());
  INFO(table.out, table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("sandbox") != std::string::npos);
  CHECK(table.out.find("seccomp") != std::string::npos);
  check_still_serving(*daemon);
}

TEST_CASE("reading a file or creating one fails with PERMISSION_DENIED; the worker lives on") {
  auto daemon = start_daemon({.workers = 2, .extra_args = {"--enable-test-styles"}});
  const std::vector<pid_t> before = daemon->worker_pids();
  Client client(daemon->socket_path());

  // Opening to write is refused by seccomp (EPERM): nothing is created.
  const v1::Reply write = client.call(escape(1, "write"), 30s);
  CHECK_MESSAGE(is_error(write, v1::PERMISSION_DENIED), describe(write));
  CHECK(write.error().message().find("Operation not permitted") != std::string::npos);
  for (pid_t pid : before) {
    struct stat st {};
    CHECK(::stat(fmt::format("/tmp/stickerd-escape-{}", pid).c_str(), &st) != 0);
  }

  // Reading /etc/passwd: seccomp lets read-only opens through (fonts are
  // reopened lazily); Landlock allows the font files alone.
  if (workers_have_landlock(*daemon)) {
    const v1::Reply read = client.call(escape(2, "read"), 30s);
    CHECK_MESSAGE(is_error(read, v1::PERMISSION_DENIED), describe(read));
    CHECK(read.error().message().find("/etc/passwd") != std::string::npos);
  } else {
    WARN_MESSAGE(false, "no Landlock in this kernel: a sandboxed worker can read /etc/passwd");
  }

  CHECK(daemon->worker_pids() == before);  // nobody died for a refused call
  CHECK(daemon->stats().restarts() == 0);
  check_still_serving(*daemon);
}

TEST_CASE("socket, execve, fork and ptrace kill only their worker with SIGSYS, named and counted") {
  auto daemon = start_daemon({.workers = 2,
                              .extra_args = {"--enable-test-styles", "--deadline-ms", "60000",
                                             "--metrics-address", "127.0.0.1:0"}});
  const int port = metrics_port(*daemon);
  struct Attempt {
    const char* text;
    const char* call;
  };
  const Attempt attempts[] = {
      {"connect", "socket"}, {"exec", "execve"}, {"fork", "clone"}, {"ptrace", "ptrace"}};
  std::uint64_t id = 1;
  for (const Attempt& a : attempts) {
    INFO("attempt ", a.text);
    Client client(daemon->socket_path());
    const v1::Reply reply = client.call(escape(id++, a.text), 60s);
    // It killed the worker, and the retry's worker too: poisoned like a crash.
    CHECK_MESSAGE(is_error(reply, v1::POISONED), describe(reply));
    CHECK(reply.error().message().find("signal SIGSYS, a sandbox violation") != std::string::npos);
    // Every other request is still served.
    check_still_serving(*daemon);
    const std::string log = daemon->log();
    // The master names the call; the worker's handler said it first.
    CHECK_MESSAGE(log.find("signal SIGSYS: sandbox violation, system call ") != std::string::npos,
                  log);
    CHECK(log.find(fmt::format("({}) while rendering task", a.call)) != std::string::npos);
    CHECK(log.find(fmt::format("({}); dying of SIGSYS", a.call)) != std::string::npos);
    CHECK(log.find("(reason: sandbox") != std::string::npos);
  }
  CHECK(daemon->log().find("reason: crash") == std::string::npos);

  // Two deaths per attempt, all counted as "sandbox" and none as a crash.
  std::string text;
  CHECK(wait_until(
      [&] {
        auto r = http_get(port, "/metrics");
        if (!r || r->status != 200) return false;
        text = r->body;
        return sample_value(text, R"(stickerd_worker_restarts_total{reason="sandbox"})") == 8;
      },
      15s));
  INFO(text);
  CHECK(sample_value(text, R"(stickerd_worker_restarts_total{reason="crash"})") == 0);
  CHECK(daemon->stats().restarts() == 8);

  const v1::WorkerList list = worker_list(*daemon);
  bool seen = false;
  for (const auto& w : list.workers()) {
    if (w.last_exit_reason() == "sandbox") {
      seen = true;
      CHECK(w.last_exit_status() == "signal SIGSYS");
    }
  }
  CHECK(seen);
  const CtlRun table =
      run_stickerctl({"--control-socket", control_socket(*daemon), "workers"}, daemon->dir());
  INFO(table.out, table.err);
  CHECK(table.out.find("sandbox (signal SIGSYS)") != std::string::npos);
}

TEST_CASE("--sandbox off is said loudly, and then nothing stops an escape") {
  auto daemon =
      start_daemon({.workers = 1, .extra_args = {"--enable-test-styles", "--sandbox", "off"}});
  CHECK(daemon->log().find("SANDBOX OFF") != std::string::npos);
  for (pid_t pid : daemon->worker_pids()) {
    const std::string status = read_file(fmt::format("/proc/{}/status", pid));
    CHECK(status.find("Seccomp:\t0\n") != std::string::npos);
  }
  const v1::WorkerList list = worker_list(*daemon);
  REQUIRE(list.workers_size() == 1);
  CHECK(list.workers(0).sandbox() == "off");
  Client client(daemon->socket_path());
  const v1::Reply read = client.call(escape(1, "read"), 30s);
  REQUIRE_MESSAGE(read.has_sticker(), describe(read));
  CHECK(read.sticker().data() == "escaped: read /etc/passwd");
}

}  // namespace stickerd::itest
