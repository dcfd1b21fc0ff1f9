// Default socket and cache locations shared by the daemon and its clients.
#include "common/socket_path.h"

#include <cstdlib>

namespace stickerd {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// The first directory systemd passes in `variable`, else `fallback`.
std::string systemd_dir(const char* variable, const char* fallback) {
  // systemd passes a colon-separated list when several directories are named.
  std::string dir = env_or_empty(variable);
  if (auto colon = dir.find(':'); colon != std::string::npos) dir.resize(colon);
  return dir.empty() ? std::string(fallback) : dir;
}

}  // namespace

std::string default_runtime_dir() { return systemd_dir("RUNTIME_DIRECTORY", "./run"); }

std::string default_cache_dir() { return systemd_dir("CACHE_DIRECTORY", "./cache"); }

std::string default_client_socket() {
  std::string path = env_or_empty("STICKERD_SOCKET");
  return path.empty() ? default_runtime_dir() + "/stickerd.sock" : path;
}

std::string default_control_socket() {
  std::string path = env_or_empty("STICKERD_CONTROL_SOCKET");
  return path.empty() ? default_runtime_dir() + "/control.sock" : path;
}

}  // namespace stickerd
