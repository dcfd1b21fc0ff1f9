// Chaos: crash, hang, leak, exit and slowness on demand, for the reliability
// and overload tests, and an instant echo for the overhead benchmarks.
#include "worker/chaos.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "common/error.h"
#include "common/log.h"
#include "common/test_styles.h"

namespace stickerd::chaos {
namespace {

// Leaked blocks stay reachable here on purpose: the point is growing RSS,
// and LeakSanitizer must not report them as a bug at exit.
std::vector<std::unique_ptr<char[]>>& leaked() {
  static std::vector<std::unique_ptr<char[]>> blocks;
  return blocks;
}

// The number the text starts with, if it is in 1..max; otherwise fallback.
unsigned leading_number(const std::string& text, unsigned fallback, unsigned max) {
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end != text.data() && n > 0 && n <= max ? n : fallback;
}

v1::TaskResult placeholder(const v1::Task& task) {
  v1::TaskResult result;
  result.set_task_id(task.task_id());
  v1::Sticker* s = result.mutable_sticker();
  s->set_data("echo");
  s->set_format(task.format());
  s->set_profile(task.profile());
  s->set_style_id(task.style_id());
  return result;
}

v1::TaskResult failed(const v1::Task& task, v1::ErrorCode code, std::string message) {
  v1::TaskResult result;
  result.set_task_id(task.task_id());
  to_proto(make_error(code, std::move(message)), *result.mutable_error());
  return result;
}

// The sandbox refused the attempt's system call (errno says how).
v1::TaskResult refused(const v1::Task& task, const std::string& what) {
  return failed(task, v1::PERMISSION_DENIED,
                fmt::format("test-escape: {}: {}", what, std::strerror(errno)));
}

v1::TaskResult escaped(const v1::Task& task, const std::string& what) {
  v1::TaskResult result = placeholder(task);
  result.mutable_sticker()->set_data("escaped: " + what);
  return result;
}

// One break-out attempt, the way exploit code would make it: straight system
// calls, nothing else on the way that the sandbox might stop first.
v1::TaskResult escape(const v1::Task& task) {
  const std::string& attempt = task.text();
  log::warning("test-escape: trying '{}' on purpose (task {})", attempt, task.task_id());
  if (attempt == "read") {
    const int fd = ::open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return refused(task, "open /etc/passwd for reading");
    char byte = 0;
    const bool got = ::read(fd, &byte, 1) == 1;
    ::close(fd);
    return escaped(task, got ? "read /etc/passwd" : "opened /etc/passwd");
  }
  if (attempt == "write") {
    const std::string path = fmt::format("/tmp/stickerd-escape-{}", ::getpid());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return refused(task, "open " + path + " for writing");
    ::close(fd);
    ::unlink(path.c_str());
    return escaped(task, "created " + path);
  }
  if (attempt == "connect") {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return refused(task, "socket");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::close(fd);
    // Refused by the port is still a network reached: the socket existed.
    return escaped(task, rc == 0 ? "connected to 127.0.0.1" : "made a socket");
  }
  if (attempt == "exec") {
    const char* argv[] = {"/bin/sh", "-c", "exit 0", nullptr};
    ::execve("/bin/sh", const_cast<char* const*>(argv), environ);
    return refused(task, "execve /bin/sh");
  }
  if (attempt == "fork") {
    const pid_t child = ::fork();
    if (child < 0) return refused(task, "fork");
    if (child == 0) std::_Exit(0);
    ::waitpid(child, nullptr, 0);
    return escaped(task, "forked");
  }
  if (attempt == "ptrace") {
    if (::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) return refused(task, "ptrace");
    return escaped(task, "ptrace");
  }
  return failed(task, v1::INVALID_ARGUMENT,
                fmt::format("test-escape: unknown attempt '{}' (read, write, connect, exec, "
                            "fork, ptrace)",
                            attempt));
}

}  // namespace

std::optional<v1::TaskResult> run(const v1::Task& task, bool enabled) {
  const std::string& id = task.style_id();
  if (!enabled) {
    return failed(task, v1::INVALID_ARGUMENT,
                  fmt::format("style {} is a test style; this worker was not started with "
                              "--enable-test-styles",
                              id));
  }
  if (id == kTestStyleCrash) {
    log::warning("test-crash: aborting on purpose (task {})", task.task_id());
    std::abort();
  }
  if (id == kTestStyleExit) {
    log::warning("test-exit: exiting with code 3 on purpose (task {})", task.task_id());
    std::_Exit(3);
  }
  if (id == kTestStyleEcho) return placeholder(task);
  if (id == kTestStyleEscape) return escape(task);
  if (id == kTestStyleSlow || id == kTestStyleSleep) {
    const unsigned fallback = id == kTestStyleSlow ? kDefaultSlowMs : kDefaultSleepMs;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(leading_number(task.text(), fallback, 600'000)));
    return placeholder(task);
  }
  if (id == kTestStyleHang) {
    log::warning("test-hang: hanging on purpose (task {})", task.task_id());
    for (;;) ::pause();
  }
  // test-leak: touch every page so the memory is resident, not just reserved.
  const std::size_t bytes =
      static_cast<std::size_t>(leading_number(task.text(), kDefaultLeakMib, 1024)) << 20;
  auto block = std::make_unique<char[]>(bytes);
  std::memset(block.get(), 0x5a, bytes);
  leaked().push_back(std::move(block));
  return std::nullopt;
}

}  // namespace stickerd::chaos
