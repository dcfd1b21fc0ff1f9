// A blocking request/reply client: frames over a Unix socket, with a reply timeout.
#include "ctl/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/unix_socket.h"

namespace stickerd::ctl {
namespace {

Error transport_error(std::string message) { return make_error(v1::INTERNAL, std::move(message)); }

}  // namespace

Result<Client> Client::connect(const std::string& socket_path, std::chrono::milliseconds timeout) {
  auto fd = connect_unix(socket_path);
  if (!fd) return fd.error();
  return Client(std::move(*fd), timeout);
}

bool Client::send(const v1::Request& request) {
  const std::string frame = encode_frame(request);
  std::string_view rest = frame;
  while (!rest.empty()) {
    // MSG_NOSIGNAL: a daemon that went away is an error value, not a SIGPIPE.
    const ssize_t n = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

Result<v1::Reply> Client::receive() {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::string payload;
  char buf[64 * 1024];
  for (;;) {
    switch (decoder_.next(payload)) {
      case FrameDecoder::Status::kFrame: {
        v1::Reply reply;
        if (!reply.ParseFromString(payload)) {
          return transport_error("the daemon sent a frame that is not a Reply");
        }
        return reply;
      }
      case FrameDecoder::Status::kTooLarge:
        return transport_error(fmt::format("the daemon sent a frame of {} bytes, over the limit",
                                           decoder_.announced_length()));
      case FrameDecoder::Status::kNeedMore:
        break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return transport_error(fmt::format("no reply within {} s", timeout_.count() / 1000));
    }
    pollfd pfd{.fd = fd_.get(), .events = POLLIN, .revents = 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      return transport_error(fmt::format("poll failed: {}", std::strerror(errno)));
    }
    if (ready <= 0) continue;
    const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return transport_error(fmt::format("read failed: {}", std::strerror(errno)));
    }
    if (n == 0) return transport_error("the daemon closed the connection");
    decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

}  // namespace stickerd::ctl
