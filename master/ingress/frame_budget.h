// FrameBudget: the bytes all client connections together may hold in
// unfinished request frames. Each connection alone is capped by
// --max-request-frame-kb; this caps their sum, so max connections × that cap
// never decides the master's memory. Pure: no I/O.
#pragma once

#include <cstddef>

namespace stickerd {

class FrameBudget {
 public:
  explicit FrameBudget(std::size_t limit_bytes) : limit_(limit_bytes) {}

  // Moves one holder's charge from `held` to `wanted` bytes. False (and the
  // charge left at `held`) when the growth does not fit in what is left.
  bool resize(std::size_t held, std::size_t wanted);
  void set_limit(std::size_t limit_bytes) { limit_ = limit_bytes; }

  std::size_t limit() const { return limit_; }
  std::size_t used() const { return used_; }

 private:
  std::size_t limit_;
  std::size_t used_ = 0;
};

}  // namespace stickerd
