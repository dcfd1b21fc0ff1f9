// RestartGuard: a simple brake on a worker slot that keeps dying. Pure: the
// caller passes the time. Full exponential backoff is later work; this only
// stops a slot from respawning in a tight loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace stickerd {

class RestartGuard {
 public:
  static constexpr std::uint64_t kWindowMs = 10'000;
  static constexpr std::size_t kMaxQuickDeaths = 3;
  static constexpr std::uint64_t kDelayMs = 1'000;

  // Records a death at `now_ms`; returns how long to wait before respawning:
  // 0 normally, kDelayMs once kMaxQuickDeaths deaths fall within kWindowMs.
  std::uint64_t on_death(std::uint64_t now_ms) {
    deaths_.push_back(now_ms);
    while (now_ms - deaths_.front() > kWindowMs) deaths_.pop_front();
    return deaths_.size() >= kMaxQuickDeaths ? kDelayMs : 0;
  }

 private:
  std::deque<std::uint64_t> deaths_;  // recent death times, oldest first
};

}  // namespace stickerd
