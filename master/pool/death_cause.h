// DeathCause: how a worker process ended, as its exit callback reported it.
#pragma once

#include <cstdint>

namespace stickerd {

struct DeathCause {
  int term_signal = 0;  // 0: it exited
  std::int64_t exit_code = 0;
};

}  // namespace stickerd
