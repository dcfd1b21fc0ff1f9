// systemd integration without systemd: the notify protocol against a
// datagram socket the test owns, socket activation with an inherited
// listening socket, and the unit files through systemd-analyze.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "common/unique_fd.h"
#include "tests/integration/harness.h"
#include "tests/integration/ops_support.h"

namespace stickerd::itest {
namespace {

// The receiving end of NOTIFY_SOCKET: collects every datagram the daemon sends.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path) : path_(path) {
    fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (!fd_.valid() || ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw HarnessError(fmt::format("cannot bind {}: {}", path, std::strerror(errno)));
    }
  }

  // Waits for a datagram containing `needle`; every datagram seen is kept.
  bool wait_for(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      for (std::size_t i = checked_; i < messages_.size(); ++i) {
        if (messages_[i].find(needle) != std::string::npos) {
          checked_ = i + 1;
          return true;
        }
      }
      checked_ = messages_.size();
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n > 0) messages_.emplace_back(buf, static_cast<std::size_t>(n));
    }
  }
  std::string all() const { return fmt::format("{}", fmt::join(messages_, " | ")); }

 private:
  std::string path_;
  UniqueFd fd_;
  std::vector<std::string> messages_;
  std::size_t checked_ = 0;
};

std::string python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace

TEST_CASE(
    "under the notify protocol stickerd sends READY=1 once workers are up, STATUS=, "
    "WATCHDOG=1, RELOADING=1/READY=1 on SIGHUP and STOPPING=1 on SIGTERM") {
  TempDir dir;
  NotifyListener notify(dir.path() + "/notify.sock");
  DaemonOptions options;
  options.workers = 2;
  options.extra_env = {"NOTIFY_SOCKET=" + dir.path() + "/notify.sock", "WATCHDOG_USEC=200000"};
  Daemon daemon(options);

  REQUIRE_MESSAGE(notify.wait_for("READY=1", 30s), notify.all());
  // READY=1 means every worker is READY, not merely that the socket is bound.
  CHECK(daemon.stats().ready_workers() == 2);
  CHECK(notify.wait_for("STATUS=", 10s));
  CHECK_MESSAGE(notify.wait_for("WATCHDOG=1", 2s), notify.all());
  CHECK(notify.wait_for("WATCHDOG=1", 2s));

  daemon.process().signal(SIGHUP);
  CHECK_MESSAGE(notify.wait_for("RELOADING=1\nMONOTONIC_USEC=", 10s), notify.all());
  CHECK_MESSAGE(notify.wait_for("READY=1", 10s), notify.all());
  check_still_serving(daemon);

  daemon.process().signal(SIGTERM);
  CHECK_MESSAGE(notify.wait_for("STOPPING=1", 10s), notify.all());
  const auto status = daemon.process().wait_exit(30s);
  REQUIRE(status.has_value());
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE(
    "with an inherited listening socket (LISTEN_FDS) stickerd serves through it and "
    "leaves the socket file to its owner") {
  TempDir dir;
  const std::string activated = dir.path() + "/act.sock";
  const std::string unused = dir.path() + "/unused.sock";
  // The launcher: bind + listen, put the socket on fd 3, name it, exec
  // stickerd in the same process so LISTEN_PID is the daemon's pid.
  const std::string launcher =
      "import os, socket, sys\n"
      "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
      "s.bind(sys.argv[1]); s.listen(16)\n"
      "os.dup2(s.fileno(), 3)\n"
      "os.environ.update(LISTEN_FDS='1', LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES='client')\n"
      "os.execv(sys.argv[2], sys.argv[2:])\n";
  ChildProcess daemon(
      {python(), "-c", launcher, activated, binary_path("STICKERD_BIN"), "--socket", unused,
       "--workers", "1", "--metrics-address", "none"},
      {"RUNTIME_DIRECTORY=" + dir.path(), "CACHE_DIRECTORY=" + dir.path() + "/cache"},
      dir.path() + "/log", dir.path() + "/log");
  const bool ready = wait_until(
      [&] {
        if (!std::filesystem::exists(activated)) return false;
        try {
          Client c(activated);
          v1::Reply r;
          c.send(stats_request(1));
          return c.receive(r, 2s) == Client::Status::kReply && r.stats().ready_workers() == 1;
        } catch (const HarnessError&) {
          return false;
        }
      },
      30s);
  INFO(read_file(dir.path() + "/log"));
  REQUIRE(ready);
  Client client(activated);
  const v1::Reply reply = client.call(render_request(1, unique_text("activated")), 60s);
  CHECK_MESSAGE(reply.has_sticker(), describe(reply));
  CHECK_FALSE(std::filesystem::exists(unused));
  CHECK(read_file(dir.path() + "/log").find("inherited client socket") != std::string::npos);

  daemon.signal(SIGTERM);
  const auto status = daemon.wait_exit(30s);
  REQUIRE(status.has_value());
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(std::filesystem::exists(activated));  // the launcher's, not ours to unlink
}

namespace {

// The units in `dir` as installed, but with ExecStart= naming the built
// binaries (verify wants an executable that exists).
void copy_units(const std::string& dir) {
  const std::string src = binary_path("STICKERD_SOURCE_ROOT") + "/systemd";
  const std::string built = binary_path("STICKERD_SYSTEMD_UNITS");
  const ShellRun copy = run_shell(
      fmt::format("cp {0}/stickerd.socket {0}/stickerd-control.socket {1}/ && "
                  "sed -e 's|^ExecStart=[^ ]*|ExecStart={2}|' "
                  "-e 's|--worker-binary=[^ ]*|--worker-binary={3}|' {4} > {1}/stickerd.service",
                  src, dir, binary_path("STICKERD_BIN"), binary_path("STICKERD_WORKER_BINARY"),
                  built),
      dir);
  REQUIRE_MESSAGE(copy.exit_code == 0, copy.output);
}

ShellRun verify_units(const std::string& dir) {
  return run_shell(fmt::format("cd {} && systemd-analyze verify --man=no --recursive-errors=yes "
                               "stickerd.service stickerd.socket stickerd-control.socket",
                               dir),
                   dir);
}

// The "Overall exposure level" figure of `security`'s output; -1 without one.
double exposure_of(const ShellRun& security) {
  const std::string marker = "Overall exposure level for stickerd.service: ";
  const auto at = security.output.find(marker);
  return at == std::string::npos ? -1 : std::stod(security.output.substr(at + marker.size()));
}

ShellRun security_of_service(const std::string& dir) {
  const ShellRun security = run_shell(
      fmt::format(
          "cd {} && systemd-analyze security --offline=true --threshold=20 stickerd.service", dir),
      dir);
  const auto overall = security.output.find("Overall exposure level");
  const std::string summary =
      overall == std::string::npos ? security.output : security.output.substr(overall);
  MESSAGE(summary);
  return security;
}

}  // namespace

TEST_CASE("the systemd units pass systemd-analyze verify and security --threshold=20") {
  if (!have_program("systemd-analyze")) {
    MESSAGE("SKIPPED: systemd-analyze is not installed (Debian package systemd)");
    return;
  }
  TempDir dir;
  copy_units(dir.path());
  const ShellRun verify = verify_units(dir.path());
  CHECK_MESSAGE(verify.exit_code == 0, verify.output);
  const ShellRun security = security_of_service(dir.path());
  CHECK_MESSAGE(security.exit_code == 0, security.output);
}

TEST_CASE("the cluster drop-in keeps the unit valid and opens only Redis's address") {
  if (!have_program("systemd-analyze")) {
    MESSAGE("SKIPPED: systemd-analyze is not installed (Debian package systemd)");
    return;
  }
  TempDir plain;
  copy_units(plain.path());
  const double before = exposure_of(security_of_service(plain.path()));
  TempDir dir;
  copy_units(dir.path());
  std::filesystem::create_directories(dir.path() + "/stickerd.service.d");
  std::filesystem::copy_file(binary_path("STICKERD_SOURCE_ROOT") + "/systemd/stickerd-cluster.conf",
                             dir.path() + "/stickerd.service.d/cluster.conf");
  const ShellRun verify = verify_units(dir.path());
  CHECK_MESSAGE(verify.exit_code == 0, verify.output);
  const ShellRun security = security_of_service(dir.path());
  CHECK_MESSAGE(security.exit_code == 0, security.output);
  // The drop-in was read: the allow list now names an address beyond
  // localhost, which costs 0.1 of exposure, and nothing else changed.
  CHECK_MESSAGE(security.output.find("non-localhost entries") != std::string::npos,
                security.output);
  REQUIRE(before > 0);
  CHECK(exposure_of(security) <= before + 0.1 + 1e-9);
}

}  // namespace stickerd::itest
