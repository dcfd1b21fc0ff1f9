// NodeName: the default name (see node_name.h).
#include "master/cluster/node_name.h"

#include <limits.h>
#include <unistd.h>

#include <fmt/format.h>

namespace stickerd {

std::string node_name(const std::string& configured) {
  if (!configured.empty()) return configured;
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    return fmt::format("node-{}", ::getpid());
  return fmt::format("{}-{}", host, ::getpid());
}

}  // namespace stickerd
