// ControlAccess: SO_PEERCRED and the rule that decides on it.
#include "master/ingress/control_access.h"

#include <sys/socket.h>

namespace stickerd {

std::optional<PeerCredentials> peer_credentials(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
    return std::nullopt;
  }
  return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

bool control_allowed(const PeerCredentials& peer, uid_t daemon_uid,
                     std::optional<gid_t> control_gid) {
  if (peer.uid == 0 || peer.uid == daemon_uid) return true;
  return control_gid.has_value() && peer.gid == *control_gid;
}

}  // namespace stickerd
