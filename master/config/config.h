// Config: the daemon's settings from command-line flags, the environment and
// built-in defaults (flag > environment > default). Pure: no I/O, so the
// precedence rules are unit-tested from memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "master/config/config_file.h"

namespace stickerd {

struct Config {
  std::string socket_path;
  unsigned workers = 1;
  std::size_t queue_size = 100;
  std::string styles_dir;
  std::string worker_binary;  // empty: the first of worker_binary_candidates() that exists
  std::size_t max_text_length = 256;  // code points
  std::size_t max_frame_bytes = 0;
  // Reliability (see docs/RELIABILITY.md).
  std::uint32_t deadline_ms = 10'000;       // per task, queue time included
  unsigned max_retries = 1;                 // re-runs of a task whose worker died
  std::uint64_t drain_grace_ms = 30'000;    // SIGTERM: time for accepted work to finish
  std::uint64_t poison_ttl_s = 600;
  std::uint64_t max_tasks_per_worker = 1000;  // then recycled (±10% per worker)
  std::uint64_t max_worker_rss_mb = 512;      // then recycled after its task
  std::size_t max_connections = 1024;
  // Client connections from one peer uid (SO_PEERCRED), so one bot cannot
  // hold every slot; 0: no per-uid limit.
  std::size_t max_connections_per_uid = 512;
  // A client connection with no request in flight that sends nothing for this
  // long is closed (an id-0 CONNECTION_LIMIT first); 0: never. Off by
  // default: bots keep persistent connections.
  std::uint64_t idle_timeout_ms = 0;
  std::size_t max_inflight = 256;           // pending requests per connection
  std::size_t max_write_buffer_mb = 16;     // unread replies per connection
  // A client's frame over this is refused from its length alone: the largest
  // valid request (256 code points, 256 style ids) is a few KiB.
  std::size_t max_request_frame_kb = 64;
  std::size_t max_request_buffer_mb = 32;  // unfinished request frames, all connections
  bool enable_test_styles = false;          // test-crash, test-hang, ... (tests only)
  // Operations (see master/operations.h).
  std::string metrics_address = "127.0.0.1:9464";  // HOST:PORT; "" or "none": no endpoint
  std::string control_socket;  // empty: default_control_socket()
  std::string control_group;   // empty: root and the daemon's user only
  // Performance (see bench/README.md).
  std::size_t cache_mb = 64;  // result cache budget in MiB; 0: no cache, no single-flight
  unsigned min_workers = 0;   // dynamic pool bounds; after parsing never 0 (default: workers)
  unsigned max_workers = 0;
  std::uint64_t scale_idle_ms = 30'000;  // idle time before the pool shrinks by one
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

enum class Action { kRun, kHelp, kVersion, kCheckConfig };

// Where a setting's value came from, for --check-config.
struct SettingOrigin {
  std::string flag;    // "--workers"
  std::string value;
  std::string origin;  // "flag", "env WORKER_POOL_SIZE", "file /etc/stickerd.json"
};

struct Invocation {
  Action action = Action::kRun;
  Config config;
  std::vector<SettingOrigin> origins;  // the settings not left at their default
};

// The config file --config or STICKERD_CONFIG names (flag first), if any.
// main() loads it and passes it to parse_config. Pure.
std::optional<std::string> config_file_path(const std::vector<std::string_view>& args,
                                            const Environment& env);

// As parse_config below, with a config file's settings under flags and
// environment (flag > environment > file > default).
Result<Invocation> parse_config(const std::vector<std::string_view>& args, const Environment& env,
                                const ConfigDefaults& defaults, const FileSettings& file);

// --check-config's report: every setting, its effective value and origin.
std::string describe_config(const Invocation& invocation);

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
