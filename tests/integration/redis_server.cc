// RedisServer: redis-server on 127.0.0.1, and a PING over a plain socket.
#include "tests/integration/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace stickerd::itest {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A loopback port nothing listens on now (the kernel's pick for port 0).
int free_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address = loopback(0);
  socklen_t size = sizeof address;
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw HarnessError("cannot find a free loopback port");
  }
  return ntohs(address.sin_port);
}

std::string redis_server_binary() {
  std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin");
  for (std::string dir; std::getline(path, dir, ':');) {
    const std::string candidate = dir + "/redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw HarnessError("redis-server is not installed (scripts/install-deps installs it)");
}

// Sends `command` and reads until `expected` arrives or a second passes.
bool exchange(int fd, const std::string& command, const std::string& expected) {
  if (::send(fd, command.data(), command.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(command.size()))
    return false;
  std::string got;
  const auto deadline = Clock::now() + 1s;
  while (got.find(expected) == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got.find(expected) != std::string::npos;
}

}  // namespace

RedisServer::RedisServer(std::string password) : password_(std::move(password)) {
  port_ = free_port();
  start();
}

std::string RedisServer::url(const std::string& password, unsigned db) const {
  return fmt::format("redis://{}127.0.0.1:{}{}", password.empty() ? "" : ":" + password + "@",
                     port_, db == 0 ? "" : fmt::format("/{}", db));
}

void RedisServer::start() {
  std::vector<std::string> argv{redis_server_binary(),
                                "--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--dir",
                                dir_.path()};
  if (!password_.empty()) argv.insert(argv.end(), {"--requirepass", password_});
  const std::string log_path = dir_.path() + "/redis.log";
  process_ = std::make_unique<ChildProcess>(argv, std::vector<std::string>{}, log_path, log_path);
  if (!wait_until([&] { return process_->exited() || answers(); }, 20s) || !answers()) {
    throw HarnessError(fmt::format("redis-server did not answer on port {}:\n{}", port_, log()));
  }
}

void RedisServer::kill() {
  process_->signal(SIGKILL);
  if (!process_->wait_exit(10s)) throw HarnessError("redis-server did not die of SIGKILL");
}

bool RedisServer::answers() const {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_in address = loopback(port_);
  if (!fd.valid() ||
      ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return false;
  }
  if (!password_.empty() && !exchange(fd.get(), "AUTH " + password_ + "\r\n", "+OK")) return false;
  return exchange(fd.get(), "PING\r\n", "+PONG");
}

std::string RedisServer::log() const {
  return std::filesystem::exists(dir_.path() + "/redis.log") ? read_file(dir_.path() + "/redis.log")
                                                             : std::string();
}

}  // namespace stickerd::itest
