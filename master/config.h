// Config: the daemon's settings from command-line flags, the environment and
// built-in defaults (flag > environment > default). Pure: no I/O, so the
// precedence rules are unit-tested from memory.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace stickerd {

struct Config {
  std::string socket_path;
  unsigned workers = 1;
  std::size_t queue_size = 100;
  std::string styles_dir;
  std::string worker_binary;  // empty: the first of worker_binary_candidates() that exists
  std::size_t max_text_length = 256;  // code points
  std::size_t max_frame_bytes = 0;
};

// Defaults that depend on the host, computed by main() and passed in so that
// parsing stays pure.
struct ConfigDefaults {
  unsigned cpus = 1;
  std::string socket_path;
  std::string styles_dir;
};

// The variables parse_config() reads, by name (a missing key is unset).
using Environment = std::map<std::string, std::string, std::less<>>;

// The environment variable names parse_config() consults, so main() can
// copy exactly those out of the process environment.
const std::vector<std::string_view>& config_env_names();

enum class Action { kRun, kHelp, kVersion };

struct Invocation {
  Action action = Action::kRun;
  Config config;
};

// Parses argv (without argv[0]). Errors name the flag or variable at fault;
// the caller exits 2 on them.
Result<Invocation> parse_config(const std::vector<std::string_view>& args, const Environment& env,
                                const ConfigDefaults& defaults);

// The --help text: every flag and environment variable.
std::string usage();

// Where to look for stickerd-worker when no flag or variable names it, given
// the path of the running stickerd: next to it (installed side by side), the
// build tree's worker/ directory, then the install libexecdir.
std::vector<std::string> worker_binary_candidates(const std::string& self_exe);

}  // namespace stickerd
