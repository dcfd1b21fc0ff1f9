// A blocking request/reply client for one daemon connection.
#pragma once

#include <chrono>
#include <string>

#include "common/error.h"
#include "common/frame.h"
#include "common/unique_fd.h"
#include "stickerd.pb.h"

namespace stickerd::ctl {

class Client {
 public:
  // Connects to the daemon's socket; the error names the path and the reason.
  static Result<Client> connect(const std::string& socket_path, std::chrono::milliseconds timeout);

  // False when the daemon has gone away.
  bool send(const v1::Request& request);

  // The next reply. An error means the transport failed: the daemon closed the
  // connection, nothing arrived within the timeout, or the bytes were not a Reply.
  Result<v1::Reply> receive();

 private:
  Client(UniqueFd fd, std::chrono::milliseconds timeout) : fd_(std::move(fd)), timeout_(timeout) {}

  UniqueFd fd_;
  std::chrono::milliseconds timeout_;
  FrameDecoder decoder_;
};

}  // namespace stickerd::ctl
