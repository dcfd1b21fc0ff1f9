// ConnectionLimits: whether one more client connection may join — the total
// limit and the per-peer-uid limit — and when a connection has idled out.
//
// Why per uid: every slot used to be first come, first served, so one bot
// holding 2,000 idle connections locked out every other user, stickerctl
// included. The peer's uid (SO_PEERCRED, set by the kernel at connect time,
// so a client cannot lie about it) is the unit of fairness the daemon can
// trust. Connections of the same uid still compete with each other: a bot
// and an operator sharing one account share one quota. Pure bookkeeping, no
// I/O: the server asks, counts and releases.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace stickerd {

struct ConnectionLimitSettings {
  std::size_t max_total = 1024;
  std::size_t max_per_uid = 512;  // 0: no per-uid limit
};

class ConnectionLimits {
 public:
  enum class Verdict { kAdmit, kTotalFull, kUidFull };

  explicit ConnectionLimits(ConnectionLimitSettings settings) : settings_(settings) {}

  // A lowered limit refuses newcomers until enough connections leave; the
  // connections already in are never closed for it.
  void set_limits(ConnectionLimitSettings settings) { settings_ = settings; }
  const ConnectionLimitSettings& limits() const { return settings_; }

  // Counts the connection when it is admitted. A peer whose uid is unknown
  // (SO_PEERCRED failed) is held only to the total limit.
  Verdict admit(std::optional<uid_t> uid);
  // An admitted connection closed; `uid` as it was admitted.
  void release(std::optional<uid_t> uid);

  std::size_t total() const { return total_; }
  std::size_t of_uid(uid_t uid) const;

 private:
  ConnectionLimitSettings settings_;
  std::size_t total_ = 0;
  std::unordered_map<uid_t, std::size_t> by_uid_;
};

// The sentence a refused client reads (the reply is an id-0 CONNECTION_LIMIT).
std::string refusal_message(ConnectionLimits::Verdict verdict,
                            const ConnectionLimitSettings& limits, std::optional<uid_t> uid);

// Whether a connection has idled out: nothing in flight, and nothing received
// or sent for `timeout_ms` (0: never).
bool idle_expired(std::uint64_t last_activity_ms, std::uint64_t now_ms, std::uint64_t timeout_ms,
                  bool has_in_flight);

}  // namespace stickerd
