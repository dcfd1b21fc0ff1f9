// Signals: SIGTERM/SIGINT delivered on the loop (uv_signal), and SIGPIPE
// ignored so a client that vanishes mid-write costs an EPIPE, not the daemon.
#pragma once

#include <uv.h>

#include <functional>

#include "master/uv/uv_handle.h"

namespace stickerd {

class Signals {
 public:
  // `on_terminate` gets the signal number each time SIGTERM or SIGINT arrives.
  Signals(uv_loop_t* loop, std::function<void(int)> on_terminate);
  Signals(const Signals&) = delete;
  Signals& operator=(const Signals&) = delete;

  // Stops listening, so the handles no longer keep the loop alive.
  void close();

 private:
  static void on_signal(uv_signal_t* handle, int signum);

  std::function<void(int)> on_terminate_;
  UvHandle<uv_signal_t> term_;
  UvHandle<uv_signal_t> interrupt_;
};

// Call once at start-up, before any socket exists.
void ignore_sigpipe();

}  // namespace stickerd
