// NodeName: this node's name in the cluster (--node-name): its consumer in
// the task streams' group and the name of its reply stream. It must be
// unique among the live nodes; the default, <hostname>-<pid>, is.
#pragma once

#include <string>

namespace stickerd {

// `configured` when it is set, else <hostname>-<pid>.
std::string node_name(const std::string& configured);

}  // namespace stickerd
