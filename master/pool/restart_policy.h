// RestartPolicy: when to respawn a worker slot that died.
//
// The first death of a healthy slot is replaced at once: a single crash is
// usually one bad request, and the pool should be whole again quickly. A slot
// that keeps dying waits before each further respawn, 50 ms doubling up to
// 5 s, so a worker that cannot start (missing font, broken library) never
// turns into a tight fork/exec loop that eats the machine. A worker that then
// stays alive for a healthy minute clears the streak.
//
// Pure: the caller passes the time (milliseconds on any monotonic clock), so
// the unit tests drive it with an injected clock.
#pragma once

#include <cstdint>

namespace stickerd {

class RestartPolicy {
 public:
  static constexpr std::uint64_t kFirstDelayMs = 50;
  static constexpr std::uint64_t kMaxDelayMs = 5'000;
  static constexpr std::uint64_t kHealthyMs = 60'000;

  // A worker process was started in this slot at `now_ms`.
  void on_spawn(std::uint64_t now_ms) { spawned_at_ms_ = now_ms; }
  // The slot's worker died at `now_ms`; returns how long to wait before the
  // next spawn (0: at once).
  std::uint64_t on_death(std::uint64_t now_ms);

  // Consecutive deaths without a healthy minute in between.
  unsigned streak() const { return streak_; }
  // True while the slot's last death put it into a delayed respawn.
  bool backing_off() const { return streak_ > 1; }

 private:
  unsigned streak_ = 0;
  std::uint64_t spawned_at_ms_ = 0;
};

}  // namespace stickerd
