// ConfigSource: what the configuration is built from, kept so that a reload
// (stickerctl reload, SIGHUP) rebuilds it the way main() did: the same
// command-line flags and host defaults, the environment and the config file
// read again.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "master/config/config.h"

namespace stickerd {

struct ConfigSource {
  std::vector<std::string> args;  // argv without argv[0]
  ConfigDefaults defaults;
};

// Reads the environment and the config file (--config / STICKERD_CONFIG)
// and parses them with `source.args`. Errors name the flag, variable or
// file key at fault, as --check-config does.
Result<Invocation> load_config(const ConfigSource& source);

}  // namespace stickerd
