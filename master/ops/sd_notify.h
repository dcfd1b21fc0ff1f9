// SdNotifier: our own client of systemd's notify protocol (sd_notify(3)):
// one AF_UNIX datagram per message to $NOTIFY_SOCKET. No libsystemd, whose
// dependencies we do not want in the daemon (see research/ops.md §1.1).
//
// from_environment() reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once
// and removes them from the environment, so worker processes never inherit
// them and cannot speak for the daemon. Without NOTIFY_SOCKET every send is
// a no-op, so callers need no "under systemd?" checks.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace stickerd {

// The watchdog interval systemd asks for, or nothing: WATCHDOG_USEC must be a
// positive number and WATCHDOG_PID, when set, must name this process. Pure.
std::optional<std::uint64_t> watchdog_usec(const char* usec, const char* pid, pid_t self);

// The text after "RELOADING=1": newer systemd (Type=notify-reload) needs the
// monotonic timestamp; systemd 252 ignores it. Pure.
std::string reloading_message(std::uint64_t monotonic_usec);

class SdNotifier {
 public:
  SdNotifier() = default;  // disabled
  static SdNotifier from_environment();

  bool enabled() const { return fd_.valid(); }
  // Half of it is how often to send WATCHDOG=1; nothing when not asked for.
  std::optional<std::uint64_t> watchdog_usec() const { return watchdog_usec_; }

  // Sends `message` ("READY=1\nSTATUS=..."); false when it could not be sent.
  bool notify(std::string_view message) const;

 private:
  UniqueFd fd_;
  sockaddr_un address_{};
  socklen_t address_length_ = 0;
  std::optional<std::uint64_t> watchdog_usec_;
};

}  // namespace stickerd
