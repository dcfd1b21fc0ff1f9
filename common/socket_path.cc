// Default socket locations shared by the daemon and its clients.
#include "common/socket_path.h"

#include <cstdlib>

namespace stickerd {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::string default_runtime_dir() {
  // systemd passes a colon-separated list when several directories are named.
  std::string dir = env_or_empty("RUNTIME_DIRECTORY");
  if (auto colon = dir.find(':'); colon != std::string::npos) dir.resize(colon);
  return dir.empty() ? std::string("./run") : dir;
}

std::string default_client_socket() {
  std::string path = env_or_empty("STICKERD_SOCKET");
  return path.empty() ? default_runtime_dir() + "/stickerd.sock" : path;
}

std::string default_control_socket() {
  std::string path = env_or_empty("STICKERD_CONTROL_SOCKET");
  return path.empty() ? default_runtime_dir() + "/control.sock" : path;
}

}  // namespace stickerd
