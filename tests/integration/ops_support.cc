// Operations test helpers: HTTP on loopback, exposition parsing, shell runs.
#include "tests/integration/ops_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace stickerd::itest {

std::optional<HttpResponse> http_get(int port, const std::string& path,
                                     std::chrono::milliseconds timeout) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return std::nullopt;
  const std::string request =
      fmt::format("GET {} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", path, port);
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  std::string raw;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buf[8192];
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  HttpResponse response;
  if (std::sscanf(raw.c_str(), "HTTP/%*s %d", &response.status) != 1) return std::nullopt;
  if (const auto end = raw.find("\r\n\r\n"); end != std::string::npos)
    response.body = raw.substr(end + 4);
  return response;
}

// The port from the daemon's "metrics on ADDRESS (port N)" log line. Plain
// string search: std::regex set off GCC 12's -Wmaybe-uninitialized here.
int metrics_port(const Daemon& daemon, std::chrono::milliseconds timeout) {
  int port = 0;
  wait_until(
      [&] {
        const std::string log = daemon.log();
        const auto line = log.find("metrics on ");
        if (line == std::string::npos) return false;
        const auto at = log.find("(port ", line);
        if (at == std::string::npos) return false;
        const char* digits = log.data() + at + 6;
        int found = 0;
        const auto [end, ec] = std::from_chars(digits, log.data() + log.size(), found);
        if (ec != std::errc() || end == digits || *end != ')') return false;
        port = found;
        return true;
      },
      timeout);
  if (port == 0) throw HarnessError("the daemon did not report its metrics port");
  return port;
}

std::optional<double> sample_value(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

ShellRun run_shell(const std::string& command, const std::string& scratch_dir) {
  static int runs = 0;
  const std::string out = fmt::format("{}/shell-{}.out", scratch_dir, runs++);
  ChildProcess child({"/bin/sh", "-c", command}, {}, out, out);
  const auto status = child.wait_exit(120s);
  if (!status) throw HarnessError(fmt::format("'{}' did not finish in 120 s", command));
  return {WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status), read_file(out)};
}

bool have_program(const std::string& program) {
  return std::system(fmt::format("command -v {} >/dev/null 2>&1", program).c_str()) == 0;
}

std::string control_socket(const Daemon& daemon) { return daemon.dir() + "/c.sock"; }

v1::WorkerList worker_list(const Daemon& daemon) {
  Client control(control_socket(daemon));
  v1::Request request;
  request.set_id(1);
  request.mutable_workers();
  const v1::Reply reply = control.call(request);
  if (!reply.has_workers()) throw HarnessError("workers: " + describe(reply));
  return reply.workers();
}

}  // namespace stickerd::itest
