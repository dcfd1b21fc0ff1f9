// Where the daemon's sockets live by default, decided the same way by
// stickerd and stickerctl: $RUNTIME_DIRECTORY (set by systemd) else ./run/;
// and its disk cache: $CACHE_DIRECTORY (systemd's CacheDirectory=) else ./cache/.
#pragma once

#include <string>

namespace stickerd {

// The directory for sockets: the first entry of $RUNTIME_DIRECTORY, else "./run".
std::string default_runtime_dir();
// The disk cache's directory: the first entry of $CACHE_DIRECTORY, else "./cache".
std::string default_cache_dir();
// <runtime dir>/stickerd.sock, unless STICKERD_SOCKET names another path.
std::string default_client_socket();
// <runtime dir>/control.sock, unless STICKERD_CONTROL_SOCKET names another path.
std::string default_control_socket();

}  // namespace stickerd
