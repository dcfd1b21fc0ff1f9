// ControlAccess: who may send control requests (workers, scale, drain,
// resume, restart_workers, reload). Only connections that came in on the
// control socket, from a peer whose SO_PEERCRED (taken at connect time) is
// root, the daemon's own user, or a member by gid of --control-group. The
// socket's 0600 mode is the first gate; this check is the second, so a
// careless chmod does not hand out control.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>

namespace stickerd {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// SO_PEERCRED of a connected Unix socket; nothing if the kernel will not say.
std::optional<PeerCredentials> peer_credentials(int fd);

// Pure: whether `peer` may control a daemon running as `daemon_uid`.
bool control_allowed(const PeerCredentials& peer, uid_t daemon_uid,
                     std::optional<gid_t> control_gid);

class ControlAccess {
 public:
  void admit(std::uint64_t connection_id, bool allowed) { peers_[connection_id] = allowed; }
  void forget(std::uint64_t connection_id) { peers_.erase(connection_id); }
  bool allowed(std::uint64_t connection_id) const {
    auto it = peers_.find(connection_id);
    return it != peers_.end() && it->second;
  }

 private:
  std::map<std::uint64_t, bool> peers_;  // control-socket connections only
};

}  // namespace stickerd
