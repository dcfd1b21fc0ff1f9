// Integration harness: temp dirs, child processes, clients and the daemon.
#include "tests/integration/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <webp/decode.h>

#include "common/process_memory.h"
#include "common/unix_socket.h"

extern char** environ;

namespace stickerd::itest {
namespace {

// Logs of daemons that ended during the current test, printed if it fails.
std::string& pending_logs() {
  static std::string logs;
  return logs;
}

// Prints the logs of the failed test's daemons after doctest's own report.
struct DaemonLogListener : doctest::IReporter {
  explicit DaemonLogListener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { pending_logs().clear(); }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats& stats) override {
    if (!stats.testCaseSuccess && !pending_logs().empty()) {
      std::fputs(pending_logs().c_str(), stderr);
    }
    pending_logs().clear();
  }
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("daemon_log", 1, DaemonLogListener);

struct ProcStat {
  std::string comm;
  char state = '?';
  pid_t ppid = 0;
};

// /proc/<pid>/stat is "pid (comm) state ppid ..."; comm may hold spaces or
// parentheses, so it ends at the last ')'.
std::optional<ProcStat> read_proc_stat(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcStat st;
  st.comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  rest >> st.state >> st.ppid;
  if (!rest) return std::nullopt;
  return st;
}

// Every process whose parent is `parent` and whose name is `comm`, zombies included.
std::vector<std::pair<pid_t, ProcStat>> children_named(pid_t parent, std::string_view comm) {
  std::vector<std::pair<pid_t, ProcStat>> out;
  std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
  if (!proc) return out;  // no /proc: nothing found, so kill-based tests fail their checks
  while (const dirent* entry = ::readdir(proc.get())) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    auto st = read_proc_stat(static_cast<pid_t>(pid));
    if (st && st->ppid == parent && st->comm == comm) out.emplace_back(pid, *st);
  }
  return out;
}

constexpr std::string_view kWorkerComm = "stickerd-worker";

// Workers orphaned by a killed daemon are reparented to this process (a
// subreaper, see Daemon::Daemon): kill and reap them so none outlives the test.
void reap_orphaned_workers() {
  for (const auto& [pid, st] : children_named(::getpid(), kWorkerComm)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

std::string must_env(const char* variable) {
  const char* value = std::getenv(variable);
  if (!value || !*value) {
    throw HarnessError(
        fmt::format("{} is not set: run the integration tests through meson", variable));
  }
  return value;
}

}  // namespace

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

std::string binary_path(const char* variable) { return must_env(variable); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ---------------------------------------------------------------- TempDir

TempDir::TempDir() {
  char templ[] = "/tmp/sdXXXXXX";
  if (!::mkdtemp(templ)) throw HarnessError(fmt::format("mkdtemp: {}", std::strerror(errno)));
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

// ----------------------------------------------------------- ChildProcess

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::string& stdout_path,
                           const std::string& stderr_path) {
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> environment;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('=') + 1);
    bool overridden = false;
    for (const auto& o : env) overridden = overridden || o.starts_with(name);
    if (!overridden) environment.emplace_back(entry);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  for (const auto& e : environment) c_env.push_back(const_cast<char*>(e.c_str()));
  c_env.push_back(nullptr);

  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw HarnessError(fmt::format("fork: {}", std::strerror(errno)));
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    static constexpr char kFailed[] = "harness: execve failed\n";
    (void)!::write(STDERR_FILENO, kFailed, sizeof kFailed - 1);
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (status_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

void ChildProcess::signal(int sig) const {
  if (!status_) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  wait_until(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
        return status_.has_value();
      },
      timeout);
  return status_;
}

// ----------------------------------------------------------------- Client

Client::Client(const std::string& socket_path) {
  auto fd = connect_unix(socket_path);
  if (!fd) throw HarnessError(fd.error().message);
  fd_ = std::move(*fd);
}

void Client::send(const v1::Request& request) { send_raw(encode_frame(request)); }

void Client::send_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    // MSG_NOSIGNAL: a daemon that hung up is a test outcome, not a SIGPIPE.
    const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw HarnessError(fmt::format("send: {}", std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

Client::Status Client::receive(v1::Reply& reply, std::chrono::milliseconds timeout) {
  if (!fd_.valid()) throw HarnessError("receive on a closed client");
  const auto deadline = Clock::now() + timeout;
  std::string payload;
  char buf[64 * 1024];
  for (;;) {
    switch (decoder_.next(payload)) {
      case FrameDecoder::Status::kFrame:
        if (!reply.ParseFromString(payload)) {
          throw HarnessError("the daemon sent a frame that is not a Reply");
        }
        return Status::kReply;
      case FrameDecoder::Status::kTooLarge:
        throw HarnessError(
            fmt::format("the daemon announced a frame of {} bytes", decoder_.announced_length()));
      case FrameDecoder::Status::kNeedMore:
        break;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Status::kTimeout;
    pollfd pfd{.fd = fd_.get(), .events = POLLIN, .revents = 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR)
      throw HarnessError(fmt::format("poll: {}", std::strerror(errno)));
    if (ready <= 0) continue;
    const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return Status::kClosed;
      throw HarnessError(fmt::format("read: {}", std::strerror(errno)));
    }
    if (n == 0) return Status::kClosed;
    decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

v1::Reply Client::receive(std::chrono::milliseconds timeout) {
  v1::Reply reply;
  switch (receive(reply, timeout)) {
    case Status::kReply:
      return reply;
    case Status::kClosed:
      throw HarnessError("the daemon closed the connection instead of replying");
    case Status::kTimeout:
      break;
  }
  throw HarnessError(fmt::format("no reply within {} ms", timeout.count()));
}

v1::Reply Client::call(const v1::Request& request, std::chrono::milliseconds timeout) {
  send(request);
  return receive(timeout);
}

// ----------------------------------------------------------------- Daemon

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {
  // Orphaned workers of a killed daemon come to us, so teardown can reap them.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (options_.socket_path.empty()) options_.socket_path = dir_.path() + "/s.sock";
  log_path_ = dir_.path() + "/stickerd.log";
  std::vector<std::string> argv{binary_path("STICKERD_BIN"), "--socket", options_.socket_path};
  if (options_.size_flags) {
    argv.insert(argv.end(), {"--workers", std::to_string(options_.workers), "--queue-size",
                             std::to_string(options_.queue_size)});
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  // Anything the daemon puts in its runtime and cache directories stays in
  // ours (no test sees another's disk cache); no fixed metrics port, so
  // parallel runs never collide. No prediction unless a test asks for it
  // (--predict on): its background renders would add to the counts tests
  // check.
  std::vector<std::string> env{"RUNTIME_DIRECTORY=" + dir_.path(),
                               "CACHE_DIRECTORY=" + dir_.path() + "/cache",
                               "STICKERD_CONTROL_SOCKET=" + dir_.path() + "/c.sock",
                               "STICKERD_METRICS_ADDRESS=none", "STICKERD_PREDICT=off"};
  env.insert(env.end(), options_.extra_env.begin(), options_.extra_env.end());
  process_ = std::make_unique<ChildProcess>(argv, env, log_path_, log_path_);
}

Daemon::~Daemon() {
  const auto workers = worker_pids();
  process_->signal(SIGKILL);
  for (pid_t pid : workers) ::kill(pid, SIGKILL);
  process_.reset();
  reap_orphaned_workers();
  pending_logs() +=
      fmt::format("---- stickerd log ({}) ----\n{}---- end of log ----\n", dir_.path(), log());
}

std::string Daemon::log() const { return read_file(log_path_); }

void Daemon::wait_ready(std::chrono::milliseconds timeout) {
  std::string last = "no connection";
  const bool ready = wait_until(
      [&] {
        if (process_->wait_exit(0ms)) return true;
        try {
          Client client(options_.socket_path);
          const v1::Reply reply = client.call(stats_request(1), 5s);
          if (!reply.has_stats()) {
            last = describe(reply);
            return false;
          }
          last = fmt::format("{} of {} workers ready", reply.stats().ready_workers(),
                             options_.workers);
          return reply.stats().ready_workers() == options_.workers;
        } catch (const HarnessError& e) {
          last = e.what();
          return false;
        }
      },
      timeout);
  if (auto status = process_->wait_exit(0ms)) {
    throw HarnessError(
        fmt::format("stickerd exited (wait status {}) before it was ready", *status));
  }
  if (!ready) {
    throw HarnessError(fmt::format("stickerd not ready within {} ms: {}", timeout.count(), last));
  }
}

v1::Stats Daemon::stats() const {
  Client client(options_.socket_path);
  const v1::Reply reply = client.call(stats_request(1), 10s);
  if (!reply.has_stats()) throw HarnessError("stats request answered " + describe(reply));
  return reply.stats();
}

std::vector<pid_t> Daemon::worker_pids() const {
  std::vector<pid_t> out;
  if (process_->exited()) return out;
  for (const auto& [pid, st] : children_named(process_->pid(), kWorkerComm)) {
    if (st.state != 'Z') out.push_back(pid);
  }
  return out;
}

std::unique_ptr<Daemon> start_daemon(DaemonOptions options) {
  auto daemon = std::make_unique<Daemon>(std::move(options));
  daemon->wait_ready();
  return daemon;
}

// --------------------------------------------------------------- requests

v1::Request render_request(std::uint64_t id, const std::string& text, const std::string& style_id,
                           v1::Format format) {
  v1::Request request;
  request.set_id(id);
  auto* render = request.mutable_render();
  render->set_text(text);
  render->set_style_id(style_id);
  render->set_format(format);
  return request;
}

v1::Request stats_request(std::uint64_t id) {
  v1::Request request;
  request.set_id(id);
  request.mutable_stats();
  return request;
}

std::string unique_text(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  return fmt::format("{} {}-{}", prefix, ::getpid(), counter++);
}

std::string length_prefix(std::uint32_t n) {
  const char bytes[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                         static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  return std::string(bytes, 4);
}

std::string varint(std::uint64_t n) {
  std::string out;
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  return out;
}

double rss_mib(pid_t pid) {
  const auto bytes = resident_bytes(pid);
  if (!bytes) throw HarnessError("cannot read the daemon's statm");
  return static_cast<double>(*bytes) / (1 << 20);
}

v1::StyleList list_styles(const Daemon& daemon) {
  Client client(daemon.socket_path());
  v1::Request request;
  request.set_id(1);
  request.mutable_list_styles();
  const v1::Reply reply = client.call(request);
  if (!reply.has_styles()) throw HarnessError("list_styles: " + describe(reply));
  return reply.styles();
}

void check_still_serving(const Daemon& daemon) {
  Client client(daemon.socket_path());
  const v1::Reply reply = client.call(render_request(7, unique_text("still serving")), 60s);
  CHECK_MESSAGE(reply.has_sticker(), "a fresh render on a new connection got ", describe(reply));
  CHECK(reply.id() == 7);
}

std::string describe(const v1::Reply& reply) {
  if (reply.has_error()) {
    return fmt::format("{}: {}", v1::ErrorCode_Name(reply.error().code()), reply.error().message());
  }
  if (reply.has_sticker())
    return fmt::format("a sticker of {} bytes", reply.sticker().data().size());
  const auto* field = v1::Reply::descriptor()->FindFieldByNumber(reply.body_case());
  return field ? fmt::format("a {} reply", field->name()) : "an empty reply";
}

// ------------------------------------------------------------------ images

std::optional<Image> decode_webp(std::string_view bytes) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  Image image;
  if (!WebPGetInfo(data, bytes.size(), &image.width, &image.height)) return std::nullopt;
  std::unique_ptr<std::uint8_t, void (*)(void*)> pixels(
      WebPDecodeRGBA(data, bytes.size(), &image.width, &image.height), WebPFree);
  if (!pixels) return std::nullopt;
  image.rgba.assign(pixels.get(),
                    pixels.get() + static_cast<std::size_t>(image.width) * image.height * 4);
  return image;
}

// -------------------------------------------------------------- stickerctl

CtlRun run_stickerctl(const std::vector<std::string>& args, const std::string& scratch_dir,
                      std::chrono::milliseconds timeout) {
  static std::atomic<unsigned> runs{0};
  const unsigned n = runs++;
  const std::string out_path = fmt::format("{}/ctl-{}.out", scratch_dir, n);
  const std::string err_path = fmt::format("{}/ctl-{}.err", scratch_dir, n);
  std::vector<std::string> argv{binary_path("STICKERCTL_BIN")};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess process(argv, {}, out_path, err_path);
  const auto status = process.wait_exit(timeout);
  if (!status)
    throw HarnessError(fmt::format("stickerctl did not finish within {} ms", timeout.count()));
  CtlRun run;
  run.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  run.out = read_file(out_path);
  run.err = read_file(err_path);
  return run;
}

}  // namespace stickerd::itest
