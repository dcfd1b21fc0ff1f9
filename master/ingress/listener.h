// Listener: the client Unix socket. Binds it (creating the directory,
// replacing a stale socket file, refusing to steal a live one), accepts
// clients and unlinks the file when it stops.
#pragma once

#include <uv.h>

#include <functional>
#include <optional>
#include <string>

#include "common/error.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

class Listener {
 public:
  using AcceptFn = std::function<void(UvHandle<uv_pipe_t>)>;

  Listener(uv_loop_t* loop, AcceptFn on_accept);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { close(); }

  std::optional<Error> start(const std::string& path);
  // Listens on an already bound and listening socket (socket activation).
  // close() then leaves the socket file alone: it belongs to the launcher.
  std::optional<Error> adopt(int fd, const std::string& description);
  // Stops accepting and removes the socket file. Idempotent.
  void close();

 private:
  static void on_connection(uv_stream_t* server, int status);

  uv_loop_t* loop_;
  AcceptFn on_accept_;
  UvHandle<uv_pipe_t> pipe_;
  std::string path_;  // set once bound: the file close() unlinks
};

}  // namespace stickerd
