// ConfigFile: the settings a --config file gives, read with protobuf's own
// JSON parser into DaemonConfig (proto/config.proto) and handed to
// parse_config() as "flag name → value" so one set of range checks serves
// flags, variables and the file alike.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/error.h"

namespace stickerd {

struct FileSettings {
  std::string path;                                        // for messages; empty: no file
  std::map<std::string, std::string, std::less<>> values;  // "--workers" → "8"
};

// Parses the text of a config file. Pure; errors name the file and the key.
Result<FileSettings> parse_config_file(std::string_view path, std::string_view json);

// Reads and parses `path`.
Result<FileSettings> load_config_file(const std::string& path);

}  // namespace stickerd
