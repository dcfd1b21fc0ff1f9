// Config: the daemon's settings from command-line flags, the environment, a
// config file and built-in defaults (flag > environment > file > default).
// Pure: no I/O, so the precedence rules are unit-tested from memory.
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

// The daemon's settings. Each one's default, bounds, names and reload class
// are its row of the settings table (settings.cc); parse_config() sets
// every field.
struct Config {
  std::string socket_path;
  unsigned workers{};
  std::size_t queue_size{};
  std::string styles_dir;
  std::string worker_binary;      // empty: the first of worker_binary_candidates() that exists
  std::size_t max_text_length{};  // code points
  std::size_t max_frame_bytes{};
  // Reliability (see docs/RELIABILITY.md).
  std::uint32_t deadline_ms{};     // per task, queue time included
  unsigned max_retries{};          // re-runs of a task whose worker died
  std::uint64_t drain_grace_ms{};  // SIGTERM: time for accepted work to finish
  std::uint64_t poison_ttl_s{};
  std::uint64_t max_tasks_per_worker{};  // then recycled (±10% per worker)
  std::uint64_t max_worker_rss_mb{};     // then recycled after its task
  std::size_t max_connections{};
  // Client connections from one peer uid (SO_PEERCRED), so one bot cannot
  // hold every slot; 0: no per-uid limit.
  std::size_t max_connections_per_uid{};
  // A client connection with no request in flight that sends nothing for this
  // long is closed (an id-0 CONNECTION_LIMIT first); 0: never. Off by
  // default: bots keep persistent connections.
  std::uint64_t idle_timeout_ms{};
  std::size_t max_inflight{};         // pending requests per connection
  std::size_t max_write_buffer_mb{};  // unread replies per connection
  // A client's frame over this is refused from its length alone: the largest
  // valid request (256 code points, 256 style ids) is a few KiB.
  std::size_t max_request_frame_kb{};
  std::size_t max_request_buffer_mb{};  // unfinished request frames, all connections
  bool enable_test_styles{};            // test-crash, test-hang, ... (tests only)
  // "on": workers render in their sandbox (worker/sandbox.h); "off" only to
  // debug a worker (strace, gdb), and logged loudly.
  std::string sandbox;
  // Operations (see master/operations.h).
  std::string metrics_address;  // HOST:PORT; empty: no endpoint
  std::string control_socket;   // empty: default_control_socket()
  std::string control_group;    // empty: root and the daemon's user only
  // Performance (see bench/README.md).
  std::size_t cache_mb{};  // result cache budget in MiB; 0: no cache, no single-flight
  unsigned min_workers{};  // dynamic pool bounds; after parsing never 0 (default: workers)
  unsigned max_workers{};
  std::uint64_t scale_idle_ms{};  // idle time before the pool shrinks by one
  // Cluster mode (see docs/CLUSTER.md).
  std::string redis_url;  // redis://... or unix://...; empty: a single node
  std::string node_name;  // this node's consumer name; empty: <hostname>-<pid>
  // The disk cache, the result cache's second tier (master/cache/disk_cache.h).
  std::string disk_cache_dir;   // its LMDB store
  std::size_t disk_cache_mb{};  // its budget in MiB, the store's file included; 0: off
  // "on": a text asked for is rendered in its other styles on
  // idle workers (Intake::predict); "off" for measuring without it.
  std::string predict;
};

// Defaults that depend on the host, computed by main() and passed in so that
// parsing stays pure.
struct ConfigDefaults {
  unsigned cpus = 1;
  std::string socket_path;
  std::string styles_dir;
  std::string cache_dir;
};

// The variables parse_config() reads, by name (a missing key is unset).
using Environment = std::map<std::string, std::string, std::less<>>;

// The environment variable names parse_config() consults, so main() can
// copy exactly those out of the process environment.
const std::vector<std::string_view>& config_env_names();

enum class Action { kRun, kHelp, kVersion, kCheckConfig };

// Where a setting's value came from, for --check-config.
struct SettingOrigin {
  std::string flag;  // "--workers"
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
