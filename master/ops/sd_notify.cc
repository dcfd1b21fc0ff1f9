// SdNotifier: NOTIFY_SOCKET datagrams, watchdog settings from the environment.
#include "master/ops/sd_notify.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/log.h"

namespace stickerd {
namespace {

std::optional<std::uint64_t> parse_u64(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  std::uint64_t n = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

}  // namespace

std::optional<std::uint64_t> watchdog_usec(const char* usec, const char* pid, pid_t self) {
  const auto interval = parse_u64(usec);
  if (!interval || *interval == 0) return std::nullopt;
  if (pid != nullptr && *pid != '\0') {
    const auto owner = parse_u64(pid);
    if (!owner || *owner != static_cast<std::uint64_t>(self)) return std::nullopt;
  }
  return interval;
}

std::string reloading_message(std::uint64_t monotonic_usec) {
  return fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading", monotonic_usec);
}

SdNotifier SdNotifier::from_environment() {
  SdNotifier n;
  const char* path = std::getenv("NOTIFY_SOCKET");
  n.watchdog_usec_ = stickerd::watchdog_usec(std::getenv("WATCHDOG_USEC"),
                                             std::getenv("WATCHDOG_PID"), ::getpid());
  const std::string socket_path = path != nullptr ? path : "";
  for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) ::unsetenv(name);
  if (socket_path.empty()) {
    n.watchdog_usec_.reset();  // nobody to ping
    return n;
  }
  // "/path" is a filesystem socket; "@name" is abstract: '@' becomes NUL and
  // the address length is exact (no trailing NUL).
  if ((socket_path[0] != '/' && socket_path[0] != '@') ||
      socket_path.size() >= sizeof(n.address_.sun_path)) {
    log::warning("NOTIFY_SOCKET '{}' is not a usable socket address; not notifying", socket_path);
    n.watchdog_usec_.reset();
    return n;
  }
  n.address_.sun_family = AF_UNIX;
  std::memcpy(n.address_.sun_path, socket_path.data(), socket_path.size());
  if (socket_path[0] == '@') n.address_.sun_path[0] = '\0';
  n.address_length_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path.size() +
                                             (socket_path[0] == '@' ? 0 : 1));
  n.fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!n.fd_.valid()) {
    log::warning("cannot create the notify socket: {}", std::strerror(errno));
    n.watchdog_usec_.reset();
  }
  return n;
}

bool SdNotifier::notify(std::string_view message) const {
  if (!fd_.valid()) return false;
  const ssize_t sent = ::sendto(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address_), address_length_);
  if (sent < 0) {
    log::warning("sd_notify: {}", std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace stickerd
