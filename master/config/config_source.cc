// ConfigSource: the process environment and the config file, read for
// parse_config(), which stays free of I/O.
#include "master/config/config_source.h"

#include <cstdlib>
#include <string_view>

namespace stickerd {

Result<Invocation> load_config(const ConfigSource& source) {
  Environment env;
  for (auto name : config_env_names()) {
    if (const char* value = std::getenv(std::string(name).c_str())) env.emplace(name, value);
  }
  const std::vector<std::string_view> args(source.args.begin(), source.args.end());
  FileSettings file;
  if (auto path = config_file_path(args, env)) {
    auto loaded = load_config_file(*path);
    if (!loaded) return loaded.error();
    file = std::move(*loaded);
  }
  return parse_config(args, env, source.defaults, file);
}

}  // namespace stickerd
