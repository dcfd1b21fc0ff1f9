// Listener: bind/listen/accept on the client socket, with stale-socket handling.
#include "master/ingress/listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "common/log.h"
#include "common/unique_fd.h"

namespace stickerd {
namespace {

constexpr int kBacklog = 128;

Error socket_error(const std::string& path, std::string_view what) {
  return make_error(v1::INTERNAL, fmt::format("socket {}: {}", path, what));
}

// True when something accepts connections on `path`; false when the file is
// a leftover (ECONNREFUSED). Other failures (permissions) are errors.
Result<bool> is_live_socket(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return socket_error(path, std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
  if (errno == ECONNREFUSED) return false;
  return socket_error(path,
                      fmt::format("cannot probe the existing socket: {}", std::strerror(errno)));
}

// Makes `path` free to bind: creates its directory, removes a stale socket
// file, and fails if a daemon answers on it or it is not a socket.
std::optional<Error> prepare_socket_path(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return socket_error(path, fmt::format("the path is {} bytes; Unix sockets allow at most {}",
                                          path.size(), sizeof(sockaddr_un::sun_path) - 1));
  }
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return socket_error(path, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    return socket_error(path, std::strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode)) return socket_error(path, "the file exists and is not a socket");
  auto live = is_live_socket(path);
  if (!live) return live.error();
  if (*live) {
    return make_error(v1::INTERNAL,
                      fmt::format("another stickerd is already listening on {}", path));
  }
  log::info("removing stale socket {}", path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return socket_error(path,
                        fmt::format("cannot remove the stale socket: {}", std::strerror(errno)));
  }
  return std::nullopt;
}

}  // namespace

Listener::Listener(uv_loop_t* loop, AcceptFn on_accept)
    : loop_(loop), on_accept_(std::move(on_accept)) {}

std::optional<Error> Listener::start(const std::string& path) {
  if (auto e = prepare_socket_path(path)) return e;
  if (const int rc = pipe_.init([&](uv_pipe_t* p) { return uv_pipe_init(loop_, p, 0); }); rc != 0) {
    return socket_error(path, uv_strerror(rc));
  }
  pipe_.set_owner(this);
  if (const int rc = uv_pipe_bind(pipe_.get(), path.c_str()); rc != 0) {
    return socket_error(path, fmt::format("cannot bind: {}", uv_strerror(rc)));
  }
  path_ = path;
  if (const int rc = uv_listen(pipe_.stream(), kBacklog, on_connection); rc != 0) {
    return socket_error(path, fmt::format("cannot listen: {}", uv_strerror(rc)));
  }
  return std::nullopt;
}

std::optional<Error> Listener::adopt(int fd, const std::string& description) {
  if (const int rc = pipe_.init([&](uv_pipe_t* p) { return uv_pipe_init(loop_, p, 0); }); rc != 0) {
    return socket_error(description, uv_strerror(rc));
  }
  pipe_.set_owner(this);
  if (const int rc = uv_pipe_open(pipe_.get(), fd); rc != 0) {
    return socket_error(description,
                        fmt::format("cannot adopt descriptor {}: {}", fd, uv_strerror(rc)));
  }
  // listen(2) again on a listening socket only updates the backlog.
  if (const int rc = uv_listen(pipe_.stream(), kBacklog, on_connection); rc != 0) {
    return socket_error(description, fmt::format("cannot listen: {}", uv_strerror(rc)));
  }
  return std::nullopt;
}

void Listener::on_connection(uv_stream_t* server, int status) {
  auto* self = static_cast<Listener*>(server->data);
  if (self == nullptr) return;
  if (status != 0) {
    log::warning("accept failed: {}", uv_strerror(status));
    return;
  }
  UvHandle<uv_pipe_t> client;
  if (const int rc = client.init([&](uv_pipe_t* p) { return uv_pipe_init(self->loop_, p, 0); });
      rc != 0) {
    log::warning("accept failed: {}", uv_strerror(rc));
    return;
  }
  if (const int rc = uv_accept(server, client.stream()); rc != 0) {
    log::warning("accept failed: {}", uv_strerror(rc));
    return;
  }
  self->on_accept_(std::move(client));
}

void Listener::close() {
  pipe_.close();
  if (!path_.empty()) {
    ::unlink(path_.c_str());
    path_.clear();
  }
}

}  // namespace stickerd
