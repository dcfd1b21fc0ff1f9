// Socket activation: listening sockets handed over by systemd (or any
// launcher speaking the same protocol) through LISTEN_PID, LISTEN_FDS and
// LISTEN_FDNAMES, starting at descriptor 3 (sd_listen_fds(3)).
//
// systemd keeps its own copy of each descriptor, so the daemon must never
// shutdown() one and must not unlink the socket file it did not create.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace stickerd {

inline constexpr int kListenFdsStart = 3;

struct InheritedSocket {
  int fd = -1;
  std::string name;  // from LISTEN_FDNAMES; "" when not given
};

// Pure: what the variables describe. Nothing when LISTEN_PID is unset or
// names another process (the variables were meant for a parent); an error
// when they are malformed.
Result<std::vector<InheritedSocket>> parse_listen_fds(const char* listen_pid,
                                                      const char* listen_fds,
                                                      const char* listen_fdnames, pid_t self);

// Reads and removes the variables (workers must not see them), marks the
// descriptors close-on-exec, and returns them.
Result<std::vector<InheritedSocket>> take_inherited_sockets();

// The socket named `name`, else (for a launcher that names none) the first
// unnamed one when `fallback_to_first` is set.
std::optional<int> find_socket(const std::vector<InheritedSocket>& sockets, const std::string& name,
                               bool fallback_to_first);

}  // namespace stickerd
