// Blocking Unix stream socket connect.
#include "common/unix_socket.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace stickerd {

Result<UniqueFd> connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("socket path {} is longer than {} bytes",
                                                        path, sizeof addr.sun_path - 1));
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return make_error(v1::INTERNAL, fmt::format("socket(): {}", std::strerror(errno)));
  }
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    return make_error(v1::INTERNAL, fmt::format("cannot connect to {}: {} (is stickerd running?)",
                                                path, std::strerror(errno)));
  }
  return fd;
}

}  // namespace stickerd
