// Integration harness: a real stickerd with real workers in a short temporary
// directory, blocking clients with timeouts, and cleanup of every process.
//
// Everything waits on conditions with deadlines (poll(), or polling a check),
// never on fixed sleeps. Processes are owned: a Daemon SIGKILLs and reaps the
// daemon and its workers when it goes out of scope, and when a test fails the
// daemon's log (stdout and stderr, workers included) is printed after it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/frame.h"
#include "common/unique_fd.h"
#include "stickerd.pb.h"

namespace stickerd::itest {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The harness could not set up or observe what a test needs. doctest reports
// the message as the test's failure.
struct HarnessError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Checks `condition` every few milliseconds until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// A binary under test, from the environment meson sets (STICKERD_BIN, STICKERCTL_BIN).
std::string binary_path(const char* variable);

// A fresh directory under /tmp (short, for Unix socket paths), removed with its contents.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child started with fork + exec, its stdout and stderr appended to files.
// It dies with the test process (PR_SET_PDEATHSIG); the destructor SIGKILLs
// and reaps it if it is still there.
class ChildProcess {
 public:
  // `env` entries ("NAME=value") override the inherited environment.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& stdout_path, const std::string& stderr_path);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool exited() const { return status_.has_value(); }
  void signal(int sig) const;
  // The wait status once the child has exited, nullopt if it is still running
  // after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// A blocking client connection to the daemon.
class Client {
 public:
  enum class Status { kReply, kClosed, kTimeout };

  explicit Client(const std::string& socket_path);

  void send(const v1::Request& request);
  // Bytes as they are, for malformed frames.
  void send_raw(std::string_view bytes);
  // The next reply, or why there is none: the daemon closed the connection
  // (EOF or reset) or nothing arrived within `timeout`.
  Status receive(v1::Reply& reply, std::chrono::milliseconds timeout = 30s);
  // The next reply; throws HarnessError when there is none.
  v1::Reply receive(std::chrono::milliseconds timeout = 30s);
  // Sends `request` and returns the next reply.
  v1::Reply call(const v1::Request& request, std::chrono::milliseconds timeout = 30s);
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  FrameDecoder decoder_;
};

struct DaemonOptions {
  unsigned workers = 2;
  unsigned queue_size = 100;
  std::string socket_path{};  // empty: s.sock in the daemon's own directory
  // More flags, and "NAME=value" entries over the inherited environment.
  // The metrics endpoint is off unless a test turns it on (--metrics-address).
  std::vector<std::string> extra_args{};
  std::vector<std::string> extra_env{};
  // False: no --workers/--queue-size flags, so a --config file's count (a
  // flag would beat it); `workers` must still match it, for wait_ready().
  bool size_flags = true;
};

// One stickerd process in its own temporary directory.
class Daemon {
 public:
  // Starts the daemon; it is not ready yet (see wait_ready()).
  explicit Daemon(DaemonOptions options = {});
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon();

  // Waits until stats report every worker READY; throws after `timeout` or
  // if the daemon exits first.
  void wait_ready(std::chrono::milliseconds timeout = 30s);

  const std::string& socket_path() const { return options_.socket_path; }
  const std::string& dir() const { return dir_.path(); }
  unsigned workers() const { return options_.workers; }
  ChildProcess& process() { return *process_; }
  std::string log() const;

  // A Stats snapshot over a fresh connection.
  v1::Stats stats() const;
  // Live (not zombie) stickerd-worker children of the daemon.
  std::vector<pid_t> worker_pids() const;

 private:
  TempDir dir_;
  DaemonOptions options_;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
};

// Starts a daemon and waits until it is ready.
std::unique_ptr<Daemon> start_daemon(DaemonOptions options = {});

// Request builders. Every render text in a test should be unique, or the
// daemon's cache and single-flight would answer without a worker.
v1::Request render_request(std::uint64_t id, const std::string& text,
                           const std::string& style_id = "",
                           v1::Format format = v1::FORMAT_UNSPECIFIED);
v1::Request stats_request(std::uint64_t id);
std::string unique_text(std::string_view prefix);
// A frame's 4-byte little-endian length header on its own, for malformed frames.
std::string length_prefix(std::uint32_t n);
// A protobuf base-128 varint, for requests built byte by byte.
std::string varint(std::uint64_t n);
// A process's resident set in MiB, from /proc/<pid>/statm.
double rss_mib(pid_t pid);

// The daemon's style list (ListStylesRequest); throws HarnessError when it answers otherwise.
v1::StyleList list_styles(const Daemon& daemon);

// Connects anew and CHECKs that a fresh render succeeds: the daemon still serves.
void check_still_serving(const Daemon& daemon);

// "code: message" of an error reply, or what the reply holds instead.
std::string describe(const v1::Reply& reply);

// A decoded image: RGBA, row-major.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
  std::uint8_t alpha(int x, int y) const {
    return rgba[(static_cast<std::size_t>(y) * width + x) * 4 + 3];
  }
};
// Decodes a WebP with libwebp; nullopt when it is not one.
std::optional<Image> decode_webp(std::string_view bytes);

// The outcome of running stickerctl to completion.
struct CtlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs stickerctl with `args` (working directory unchanged); throws if it
// does not finish within `timeout`.
CtlRun run_stickerctl(const std::vector<std::string>& args, const std::string& scratch_dir,
                      std::chrono::milliseconds timeout = 60s);

std::string read_file(const std::string& path);

}  // namespace stickerd::itest
