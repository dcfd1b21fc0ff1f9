// RedisServer: a real redis-server for the cluster tests, on a free
// loopback port, without persistence, in its own temporary directory. It
// dies with the test (ChildProcess); kill() and start() stop it hard and
// bring it back on the same port, as a crashed and restarted Redis.
#pragma once

#include <memory>
#include <string>

#include "tests/integration/harness.h"

namespace stickerd::itest {

class RedisServer {
 public:
  // Starts it and waits until it answers PING. With `password`, clients
  // must AUTH first (requirepass).
  explicit RedisServer(std::string password = "");
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer() = default;

  int port() const { return port_; }
  // redis://127.0.0.1:PORT, or with ":PASSWORD@" and "/DB" when given.
  std::string url(const std::string& password = "", unsigned db = 0) const;

  // SIGKILL, and waits until it is gone.
  void kill();
  // Starts it again on the same port; waits until it answers PING.
  void start();
  // Whether it answers PING (after AUTH, when it has a password) within a second.
  bool answers() const;
  std::string log() const;

 private:
  TempDir dir_;
  std::string password_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace stickerd::itest
