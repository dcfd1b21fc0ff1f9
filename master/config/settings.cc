// Settings: the table. A new setting is a Config field and a row here (and
// a DaemonConfig field when a config file may set it).
#include "master/config/settings.h"

#include <algorithm>
#include <string>

#include "common/frame.h"
#include "master/config/redis_url.h"

namespace stickerd {
namespace {

// Upper bounds that catch typos (an extra zero) rather than express policy.
constexpr unsigned long long kMaxWorkers = 1024;
constexpr unsigned long long kMaxFrameBytes = 1ull << 30;
constexpr unsigned long long kMillion = 1'000'000;
constexpr unsigned long long kDayMs = 86'400'000;
constexpr unsigned long long kHourMs = 3'600'000;

using enum Kind;
using enum Reload;
using enum Section;

constexpr Setting kConfigFile{.key = "config",
                              .flag = "--config",
                              .env = "STICKERD_CONFIG",
                              .in_file = false,
                              .section = kSources,
                              .arg = "FILE",
                              .help =
                                  "settings from a JSON file (proto/config.proto: keys are the\n"
                                  "flag names with _, e.g. {{\"workers\": 8}}) [{env}];\n"
                                  "flag > environment > file > default"};

constexpr Setting kSettings[] = {
    {.key = "socket",
     .flag = "--socket",
     .env = "STICKERD_SOCKET",
     .field = field<&Config::socket_path>(),
     .computed_default = [](const ConfigDefaults& host) { return host.socket_path; },
     .arg = "PATH",
     .help = "client socket [{env};\n"
             "default $RUNTIME_DIRECTORY/stickerd.sock, else ./run/stickerd.sock]"},
    {.key = "workers",
     .flag = "--workers",
     .env = "WORKER_POOL_SIZE",
     .kind = kCount,
     .field = field<&Config::workers>(),
     .computed_default =
         [](const ConfigDefaults& host) { return std::to_string(std::max(host.cpus, 1u)); },
     .max = kMaxWorkers,
     .reload = kPoolSize,
     .arg = "N",
     .help = "worker processes [{env}; default: number of CPUs]"},
    {.key = "queue_size",
     .flag = "--queue-size",
     .env = "WORKER_QUEUE_SIZE",
     .kind = kCount,
     .field = field<&Config::queue_size>(),
     .fallback = "100",
     .max = kMillion,
     .reload = kLive,
     .arg = "N",
     .help = "tasks waiting for a worker before QUEUE_FULL\n[{env}; default {default}]"},
    {.key = "styles",
     .flag = "--styles",
     .env = "STICKERD_STYLES_DIR",
     .field = field<&Config::styles_dir>(),
     .computed_default = [](const ConfigDefaults& host) { return host.styles_dir; },
     .arg = "DIR",
     .help = "style catalogue directory [{env};\n"
             "default: the installed catalogue, else the source tree's styles/]"},
    {.key = "worker_binary",
     .flag = "--worker-binary",
     .env = "STICKERD_WORKER_BINARY",
     .field = field<&Config::worker_binary>(),
     .unset_text = "(searched at start)",
     .arg = "PATH",
     .help = "the worker executable [{env}; default:\n"
             "stickerd-worker next to stickerd, then ../worker/, then {libexecdir}]"},
    {.key = "max_text_length",
     .flag = "--max-text-length",
     .kind = kCount,
     .field = field<&Config::max_text_length>(),
     .fallback = "256",
     .max = kMillion,
     .reload = kLive,
     .arg = "N",
     .help = "longest accepted text in code points [default {default}]"},
    {.key = "max_frame_bytes",
     .flag = "--max-frame-bytes",
     .kind = kCount,
     .field = field<&Config::max_frame_bytes>(),
     .computed_default =
         [](const ConfigDefaults&) { return std::to_string(kDefaultMaxFrameBytes); },
     .max = kMaxFrameBytes,
     .arg = "N",
     .help = "largest accepted frame on any stream (worker results\nincluded) [default {default}]"},
    {.key = "deadline_ms",
     .flag = "--deadline-ms",
     .env = "STICKERD_DEADLINE_MS",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::deadline_ms>(),
     .fallback = "10000",
     .max = kHourMs,
     .reload = kLive,
     .arg = "N",
     .help = "longest a task may take, queue time included; a request's\n"
             "deadline_ms may ask for less [{env}; default {default}]"},
    {.key = "max_retries",
     .flag = "--max-retries",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_retries>(),
     .fallback = "1",
     .max = 10,
     .zero_allowed = true,
     .reload = kLive,
     .arg = "N",
     .help = "re-runs of a task whose worker died before it is POISONED\n[default {default}]"},
    {.key = "drain_grace_ms",
     .flag = "--drain-grace-ms",
     .env = "STICKERD_DRAIN_GRACE_MS",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::drain_grace_ms>(),
     .fallback = "30000",
     .max = kHourMs,
     .reload = kLive,
     .arg = "N",
     .help = "on SIGTERM, how long queued and running work may take to\n"
             "finish; then it is answered SHUTTING_DOWN\n"
             "[{env}; default {default}]"},
    {.key = "poison_ttl_s",
     .flag = "--poison-ttl-s",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::poison_ttl_s>(),
     .fallback = "600",
     .max = 7 * 86'400,
     .arg = "N",
     .help = "how long a poisoned request is refused [default {default}]"},
    {.key = "max_tasks_per_worker",
     .flag = "--max-tasks-per-worker",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_tasks_per_worker>(),
     .fallback = "1000",
     .max = 1'000'000'000,
     .arg = "N",
     .help = "recycle a worker after about N tasks (±10%) [default {default}]"},
    {.key = "max_worker_rss_mb",
     .flag = "--max-worker-rss-mb",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_worker_rss_mb>(),
     .fallback = "512",
     .max = kMillion,
     .arg = "N",
     .help = "recycle a worker whose memory passes N MiB [default {default}]"},
    {.key = "max_connections",
     .flag = "--max-connections",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_connections>(),
     .fallback = "1024",
     .max = kMillion,
     .reload = kLive,
     .arg = "N",
     .help = "client connections; more are refused CONNECTION_LIMIT\n[default {default}]"},
    {.key = "max_connections_per_uid",
     .flag = "--max-connections-per-uid",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_connections_per_uid>(),
     .fallback = "512",
     .max = kMillion,
     .zero_allowed = true,
     .unset_text = "0 (no per-uid limit)",
     .reload = kLive,
     .arg = "N",
     .help = "client connections from one peer uid (SO_PEERCRED);\n"
             "more are refused CONNECTION_LIMIT [default {default}; 0: no limit]"},
    {.key = "idle_timeout_ms",
     .flag = "--idle-timeout-ms",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::idle_timeout_ms>(),
     .fallback = "0",
     .max = kDayMs,
     .zero_allowed = true,
     .unset_text = "0 (never)",
     .reload = kLive,
     .arg = "N",
     .help = "close a client connection with no request in flight that\n"
             "sent nothing for N ms [default {default}: never]"},
    {.key = "max_inflight",
     .flag = "--max-inflight",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_inflight>(),
     .fallback = "256",
     .max = kMillion,
     .reload = kLive,
     .arg = "N",
     .help = "pending requests per connection [default {default}]"},
    {.key = "max_write_buffer_mb",
     .flag = "--max-write-buffer-mb",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_write_buffer_mb>(),
     .fallback = "16",
     .max = 4096,
     .reload = kLive,
     .arg = "N",
     .help = "unread replies a client may leave before it is\ndisconnected [default {default}]"},
    {.key = "max_request_frame_kb",
     .flag = "--max-request-frame-kb",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_request_frame_kb>(),
     .fallback = "64",
     .max = kMaxFrameBytes >> 10,
     .reload = kLive,
     .arg = "N",
     .help = "largest frame a client may send, checked on its length\n"
             "before it is read: FRAME_TOO_LARGE and a close [default {default}]"},
    {.key = "max_request_buffer_mb",
     .flag = "--max-request-buffer-mb",
     .section = kReliability,
     .kind = kCount,
     .field = field<&Config::max_request_buffer_mb>(),
     .fallback = "32",
     .max = kMillion,
     .reload = kLive,
     .arg = "N",
     .help = "unfinished request frames all connections together may\n"
             "hold; a frame that does not fit is refused FRAME_TOO_LARGE\n"
             "and its connection closed [default {default}]"},
    {.key = "enable_test_styles",
     .flag = "--enable-test-styles",
     .in_file = false,
     .section = kReliability,
     .kind = kSwitch,
     .field = field<&Config::enable_test_styles>(),
     .fallback = "false",
     .help = "accept the test styles: test-crash, -hang, -leak, -exit, -echo,\n"
             "-slow and -escape (common/test_styles.h; tests only)"},
    {.key = "sandbox",
     .flag = "--sandbox",
     .env = "STICKERD_SANDBOX",
     .section = kReliability,
     .kind = kOnOff,
     .field = field<&Config::sandbox>(),
     .fallback = "on",
     .arg = "on|off",
     .help = "workers render in a sandbox: seccomp allow-list, Landlock,\n"
             "no new privileges (docs/SECURITY.md); off is for debugging\n"
             "only [{env}; default {default}]"},
    {.key = "metrics_address",
     .flag = "--metrics-address",
     .env = "STICKERD_METRICS_ADDRESS",
     .section = kOperations,
     .kind = kAddress,
     .field = field<&Config::metrics_address>(),
     .fallback = "127.0.0.1:9464",
     .unset_text = "none",
     .arg = "HOST:PORT",
     .help = "Prometheus /metrics and /health endpoint\n"
             "[{env}; default {default}; '' or none: off]"},
    {.key = "cache_mb",
     .flag = "--cache-mb",
     .env = "STICKERD_CACHE_MB",
     .section = kPerformance,
     .kind = kCount,
     .field = field<&Config::cache_mb>(),
     .fallback = "64",
     .max = kMillion,
     .zero_allowed = true,
     .reload = kCacheBudget,
     .arg = "N",
     .help = "result cache budget in MiB; 0 disables the cache and\n"
             "single-flight [{env}; default {default}]"},
    {.key = "disk_cache_dir",
     .flag = "--disk-cache-dir",
     .env = "STICKERD_DISK_CACHE_DIR",
     .section = kPerformance,
     .field = field<&Config::disk_cache_dir>(),
     .computed_default = [](const ConfigDefaults& host) { return host.cache_dir; },
     .arg = "DIR",
     .help = "the disk cache's LMDB store, kept across restarts [{env};\n"
             "default $CACHE_DIRECTORY, else ./cache]"},
    {.key = "disk_cache_mb",
     .flag = "--disk-cache-mb",
     .env = "STICKERD_DISK_CACHE_MB",
     .section = kPerformance,
     .kind = kCount,
     .field = field<&Config::disk_cache_mb>(),
     .fallback = "256",
     .max = kMillion,
     .zero_allowed = true,
     .arg = "N",
     .help = "disk cache budget in MiB (its file included); 0 disables\n"
             "it; off too when --cache-mb is 0 [{env}; default {default}]"},
    {.key = "predict",
     .flag = "--predict",
     .env = "STICKERD_PREDICT",
     .section = kPerformance,
     .kind = kOnOff,
     .field = field<&Config::predict>(),
     .fallback = "on",
     .reload = kLive,
     .arg = "on|off",
     .help = "a text asked for is rendered in its other\n"
             "styles, in the format asked for, on idle workers only, so\n"
             "the next style asked for is a cache hit [{env}; default {default}]"},
    // 0: follows --workers (parse_config), so dynamic sizing is off.
    {.key = "min_workers",
     .flag = "--min-workers",
     .section = kPerformance,
     .kind = kCount,
     .field = field<&Config::min_workers>(),
     .fallback = "0",
     .max = kMaxWorkers,
     .reload = kPoolBound,
     .arg = "N"},
    {.key = "max_workers",
     .flag = "--max-workers",
     .section = kPerformance,
     .kind = kCount,
     .field = field<&Config::max_workers>(),
     .fallback = "0",
     .max = kMaxWorkers,
     .reload = kPoolBound,
     .arg = "N",
     .help = "grow the pool while tasks queue and shrink it\n"
             "when idle, within these bounds [default: both --workers, off]"},
    {.key = "scale_idle_ms",
     .flag = "--scale-idle-ms",
     .section = kPerformance,
     .kind = kCount,
     .field = field<&Config::scale_idle_ms>(),
     .fallback = "30000",
     .max = kDayMs,
     .arg = "N",
     .help = "idle time before the pool shrinks by one [default {default}]"},
    {.key = "control_socket",
     .flag = "--control-socket",
     .env = "STICKERD_CONTROL_SOCKET",
     .section = kOperations,
     .field = field<&Config::control_socket>(),
     .unset_text = "(beside the client socket)",
     .arg = "PATH",
     .help = "control socket for stickerctl, mode 0600 [{env};\n"
             "default: control.sock beside the client socket's default]"},
    {.key = "control_group",
     .flag = "--control-group",
     .env = "STICKERD_CONTROL_GROUP",
     .section = kOperations,
     .field = field<&Config::control_group>(),
     .unset_text = "(none)",
     .arg = "NAME",
     .help = "also allow this group on the control socket (mode 0660)\n[{env}]"},
    {.key = "redis",
     .flag = "--redis",
     .env = "STICKERD_REDIS_URL",
     .section = kCluster,
     .kind = kRedisUrl,
     .field = field<&Config::redis_url>(),
     .unset_text = "(none: a single node)",
     .shown = redact_redis_url,
     .arg = "URL",
     .help = "join the cluster coordinated by this Redis,\n"
             "redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH;\n"
             "while it is unreachable the node serves its own clients\n"
             "alone (docs/CLUSTER.md) [{env}; default: none]"},
    {.key = "node_name",
     .flag = "--node-name",
     .env = "STICKERD_NODE_NAME",
     .section = kCluster,
     .field = field<&Config::node_name>(),
     .unset_text = "(<hostname>-<pid>)",
     .arg = "NAME",
     .help = "this node's name in the cluster: its consumer in the\n"
             "task streams and its reply stream; unique per live node\n"
             "[{env}; default: <hostname>-<pid>]"},
    kConfigFile,
};

}  // namespace

std::span<const Setting> settings() { return kSettings; }

std::vector<const Setting*> settings_by_section() {
  std::vector<const Setting*> rows;
  for (const Setting& s : kSettings) rows.push_back(&s);
  std::ranges::stable_sort(rows, {}, &Setting::section);
  return rows;
}

const Setting* find_setting(std::string_view flag) {
  auto it = std::ranges::find(kSettings, flag, &Setting::flag);
  return it == std::end(kSettings) ? nullptr : &*it;
}

const Setting* find_file_setting(std::string_view key) {
  for (const Setting& s : kSettings) {
    if (s.in_file && s.key == key) return &s;
  }
  return nullptr;
}

const Setting& config_file_setting() { return kConfigFile; }

}  // namespace stickerd
