// Socket activation: LISTEN_* parsing and adoption of inherited descriptors.
#include "master/ingress/socket_activation.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace stickerd {
namespace {

// LISTEN_FDS above this is a typo or an attack, not a configuration.
constexpr unsigned long kMaxListenFds = 64;

std::optional<unsigned long> parse_number(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  unsigned long n = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

}  // namespace

Result<std::vector<InheritedSocket>> parse_listen_fds(const char* listen_pid,
                                                      const char* listen_fds,
                                                      const char* listen_fdnames, pid_t self) {
  std::vector<InheritedSocket> out;
  if (listen_pid == nullptr || *listen_pid == '\0') return out;
  const auto pid = parse_number(listen_pid);
  if (!pid)
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("LISTEN_PID: '{}' is not a pid", listen_pid));
  if (*pid != static_cast<unsigned long>(self)) return out;
  const auto count = parse_number(listen_fds);
  if (!count || *count > kMaxListenFds) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("LISTEN_FDS: '{}' is not a count from 0 to {}",
                                  listen_fds ? listen_fds : "", kMaxListenFds));
  }
  std::vector<std::string> names;
  if (listen_fdnames != nullptr) {
    std::string_view rest(listen_fdnames);
    while (!rest.empty() || names.size() < *count) {
      const auto colon = rest.find(':');
      names.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  for (unsigned long i = 0; i < *count; ++i) {
    out.push_back({kListenFdsStart + static_cast<int>(i), i < names.size() ? names[i] : ""});
  }
  return out;
}

Result<std::vector<InheritedSocket>> take_inherited_sockets() {
  auto sockets = parse_listen_fds(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"),
                                  std::getenv("LISTEN_FDNAMES"), ::getpid());
  for (const char* name : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}) ::unsetenv(name);
  if (!sockets) return sockets;
  for (const auto& s : *sockets) {
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(s.fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("inherited descriptor {} ({}) is not a socket", s.fd, s.name));
    }
    // Workers must not inherit the listening sockets.
    const int flags = ::fcntl(s.fd, F_GETFD);
    if (flags >= 0) ::fcntl(s.fd, F_SETFD, flags | FD_CLOEXEC);
  }
  return sockets;
}

std::optional<int> find_socket(const std::vector<InheritedSocket>& sockets, const std::string& name,
                               bool fallback_to_first) {
  for (const auto& s : sockets) {
    if (s.name == name) return s.fd;
  }
  if (fallback_to_first) {
    for (const auto& s : sockets) {
      // systemd's default name is the unit name ("stickerd.socket").
      if (s.name.empty() || s.name.ends_with(".socket")) return s.fd;
    }
  }
  return std::nullopt;
}

}  // namespace stickerd
