// Signals: termination requests on the loop, SIGPIPE ignored.
#include "master/ops/signals.h"

#include <csignal>

namespace stickerd {

Signals::Signals(uv_loop_t* loop, std::function<void(int)> on_terminate)
    : on_terminate_(std::move(on_terminate)) {
  for (auto [handle, signum] : {std::pair{&term_, SIGTERM}, std::pair{&interrupt_, SIGINT}}) {
    handle->init([&](uv_signal_t* s) { return uv_signal_init(loop, s); });
    handle->set_owner(this);
    uv_signal_start(handle->get(), on_signal, signum);
  }
}

void Signals::on_signal(uv_signal_t* handle, int signum) {
  auto* self = static_cast<Signals*>(handle->data);
  if (self != nullptr) self->on_terminate_(signum);
}

void Signals::close() {
  term_.close();
  interrupt_.close();
}

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

}  // namespace stickerd
