// LinkWatch: when the Redis link sends its heartbeat, and when silence means
// the link is lost.
//
// A closed socket is noticed by hiredis at once; a Redis that hangs, or a
// network that drops packets, is not: only an answer that does not come
// tells. So one question is outstanding at a time (the connection's
// handshake, then a PING every kPingEveryMs), and one unanswered for
// kLostAfterMs loses the link. Pure: the caller passes the time.
#pragma once

#include <cstdint>
#include <optional>

namespace stickerd {

class LinkWatch {
 public:
  static constexpr std::uint64_t kPingEveryMs = 1'000;
  static constexpr std::uint64_t kLostAfterMs = 3'000;

  enum class Action {
    kWait,  // nothing to do now
    kPing,  // send the heartbeat, then call asked()
    kLost,  // the question outstanding went unanswered: the link is lost
  };

  // A question went out at `now_ms` (a connection attempt's handshake or a PING).
  void asked(std::uint64_t now_ms) { asked_at_ms_ = now_ms; }
  // Its answer came at `now_ms`.
  void answered(std::uint64_t now_ms) {
    asked_at_ms_.reset();
    answered_at_ms_ = now_ms;
  }
  // What the link should do at `now_ms`.
  Action tick(std::uint64_t now_ms) const;

 private:
  std::optional<std::uint64_t> asked_at_ms_;
  std::uint64_t answered_at_ms_ = 0;
};

}  // namespace stickerd
