// RunState: where the daemon is in its life. Lifecycle moves it forward;
// the request path reads it.
#pragma once

namespace stickerd {

enum class RunState {
  kRunning,
  kDraining,  // SIGTERM: no new work; finishing queued and running tasks
  kStopping,  // workers are being stopped; then every handle closes
};

}  // namespace stickerd
