// Config: flags > environment > defaults, with errors that name their source.
#include "master/config/config.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <filesystem>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "build_config.h"
#include "common/frame.h"
#include "master/config/metrics_address.h"

namespace stickerd {
namespace {

// Upper bounds that catch typos (an extra zero) rather than express policy.
constexpr unsigned long long kMaxWorkers = 1024;
constexpr unsigned long long kMaxQueueSize = 1'000'000;
constexpr unsigned long long kMaxTextLength = 1'000'000;
constexpr unsigned long long kMaxFrameBytes = 1ull << 30;

Error bad_value(std::string_view source, std::string_view value, std::string_view expected) {
  return make_error(v1::INVALID_ARGUMENT,
                    fmt::format("{}: '{}' is not valid ({})", source, value, expected));
}

// A whole number in [1, max]; `source` is the flag or variable, for the error.
Result<unsigned long long> parse_count(std::string_view source, std::string_view text,
                                       unsigned long long max) {
  unsigned long long n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end || n == 0 || n > max) {
    return bad_value(source, text, fmt::format("expected a whole number from 1 to {}", max));
  }
  return n;
}

std::optional<std::string_view> env_value(const Environment& env, std::string_view name) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return std::string_view(it->second);
}

struct FlagSpec {
  std::string_view flag;
  std::string_view env;  // empty: no variable
};

constexpr FlagSpec kSocket{"--socket", "STICKERD_SOCKET"};
constexpr FlagSpec kWorkers{"--workers", "WORKER_POOL_SIZE"};
constexpr FlagSpec kQueueSize{"--queue-size", "WORKER_QUEUE_SIZE"};
constexpr FlagSpec kStyles{"--styles", "STICKERD_STYLES_DIR"};
constexpr FlagSpec kWorkerBinary{"--worker-binary", "STICKERD_WORKER_BINARY"};
constexpr FlagSpec kMaxText{"--max-text-length", ""};
constexpr FlagSpec kMaxFrame{"--max-frame-bytes", ""};
constexpr FlagSpec kDeadline{"--deadline-ms", "STICKERD_DEADLINE_MS"};
constexpr FlagSpec kMaxRetries{"--max-retries", ""};
constexpr FlagSpec kDrainGrace{"--drain-grace-ms", "STICKERD_DRAIN_GRACE_MS"};
constexpr FlagSpec kPoisonTtl{"--poison-ttl-s", ""};
constexpr FlagSpec kMaxTasksPerWorker{"--max-tasks-per-worker", ""};
constexpr FlagSpec kMaxWorkerRss{"--max-worker-rss-mb", ""};
constexpr FlagSpec kMaxConnections{"--max-connections", ""};
constexpr FlagSpec kMaxConnectionsPerUid{"--max-connections-per-uid", ""};
constexpr FlagSpec kIdleTimeout{"--idle-timeout-ms", ""};
constexpr FlagSpec kMaxInflight{"--max-inflight", ""};
constexpr FlagSpec kMaxWriteBuffer{"--max-write-buffer-mb", ""};
constexpr FlagSpec kMaxRequestFrame{"--max-request-frame-kb", ""};
constexpr FlagSpec kMaxRequestBuffer{"--max-request-buffer-mb", ""};
constexpr FlagSpec kMetricsAddress{"--metrics-address", "STICKERD_METRICS_ADDRESS"};
constexpr FlagSpec kControlSocket{"--control-socket", "STICKERD_CONTROL_SOCKET"};
constexpr FlagSpec kControlGroup{"--control-group", "STICKERD_CONTROL_GROUP"};
// Read by main() through config_file_path(); listed so parse_config knows it.
constexpr FlagSpec kConfigFile{"--config", "STICKERD_CONFIG"};
constexpr FlagSpec kCacheMb{"--cache-mb", "STICKERD_CACHE_MB"};
constexpr FlagSpec kMinWorkersFlag{"--min-workers", ""};
constexpr FlagSpec kMaxWorkersFlag{"--max-workers", ""};
constexpr FlagSpec kScaleIdle{"--scale-idle-ms", ""};
// A switch without a value: tests only (see worker/chaos.h).
constexpr std::string_view kEnableTestStyles = "--enable-test-styles";
constexpr FlagSpec kAllFlags[] = {kSocket,  kWorkers,      kQueueSize, kStyles,
                                  kWorkerBinary, kMaxText, kMaxFrame,
                                  kDeadline, kMaxRetries, kDrainGrace, kPoisonTtl, kMaxTasksPerWorker,
                                  kMaxWorkerRss, kMaxConnections, kMaxConnectionsPerUid, kIdleTimeout, kMaxInflight, kMaxWriteBuffer, kMaxRequestFrame, kMaxRequestBuffer,
                                  kMetricsAddress, kCacheMb, kMinWorkersFlag, kMaxWorkersFlag, kScaleIdle, kControlSocket, kControlGroup,
                                  kConfigFile};

// The value a setting takes: the flag's if given, else the variable's, else none.
struct Source {
  std::string_view name;  // for error messages
  std::string_view value;
};

// The config file's settings and the origin log of the parse_config call in
// progress. A pointer set for the duration of that call (ParseScope) rather
// than more parameters, so every pick() site reads the same.
struct ParseContext {
  const FileSettings* file = nullptr;
  std::vector<SettingOrigin>* origins = nullptr;
  std::deque<std::string> names;  // stable storage for "file: key" error names
};
thread_local ParseContext* t_context = nullptr;

struct ParseScope {
  ParseScope(const FileSettings& file, std::vector<SettingOrigin>& origins) {
    context.file = &file;
    context.origins = &origins;
    t_context = &context;
  }
  ParseScope(const ParseScope&) = delete;
  ParseScope& operator=(const ParseScope&) = delete;
  ~ParseScope() { t_context = nullptr; }
  ParseContext context;
};

void record(std::string_view flag, std::string_view value, std::string origin) {
  if (t_context == nullptr || t_context->origins == nullptr) return;
  for (const auto& o : *t_context->origins) {
    if (o.flag == flag) return;  // picked twice (a special value, then the general rule)
  }
  t_context->origins->push_back({std::string(flag), std::string(value), std::move(origin)});
}

std::optional<Source> pick(const FlagSpec& spec, const std::map<std::string_view, std::string_view>& flags,
                           const Environment& env) {
  if (auto it = flags.find(spec.flag); it != flags.end()) {
    record(spec.flag, it->second, "flag");
    return Source{spec.flag, it->second};
  }
  if (!spec.env.empty()) {
    if (auto v = env_value(env, spec.env)) {
      record(spec.flag, *v, fmt::format("env {}", spec.env));
      return Source{spec.env, *v};
    }
  }
  if (t_context != nullptr && t_context->file != nullptr) {
    if (auto it = t_context->file->values.find(spec.flag); it != t_context->file->values.end()) {
      std::string key(spec.flag.substr(2));
      for (char& ch : key) ch = ch == '-' ? '_' : ch;
      record(spec.flag, it->second, fmt::format("file {}", t_context->file->path));
      const std::string& name =
          t_context->names.emplace_back(fmt::format("config file {}: {}", t_context->file->path, key));
      return Source{name, it->second};
    }
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string_view>& config_env_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& spec : kAllFlags) {
      if (!spec.env.empty()) v.push_back(spec.env);
    }
    return v;
  }();
  return names;
}

std::optional<std::string> config_file_path(const std::vector<std::string_view>& args,
                                            const Environment& env) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == kConfigFile.flag && i + 1 < args.size()) return std::string(args[i + 1]);
    if (args[i].starts_with("--config=")) return std::string(args[i].substr(9));
  }
  if (auto v = env_value(env, kConfigFile.env)) return std::string(*v);
  return std::nullopt;
}

Result<Invocation> parse_config(const std::vector<std::string_view>& args, const Environment& env,
                                const ConfigDefaults& defaults) {
  return parse_config(args, env, defaults, FileSettings{});
}

Result<Invocation> parse_config(const std::vector<std::string_view>& args, const Environment& env,
                                const ConfigDefaults& defaults, const FileSettings& file) {
  Invocation inv;
  ParseScope scope(file, inv.origins);
  bool check_config = false;
  std::map<std::string_view, std::string_view> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      inv.action = Action::kHelp;
      return inv;
    }
    if (arg == "--version") {
      inv.action = Action::kVersion;
      return inv;
    }
    if (arg == kEnableTestStyles) {
      inv.config.enable_test_styles = true;
      continue;
    }
    if (arg == "--check-config") {
      check_config = true;
      continue;
    }
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    bool known = false;
    for (const auto& spec : kAllFlags) known = known || spec.flag == name;
    if (!known) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("unknown argument '{}' (see --help)", arg));
    }
    if (!value) {
      if (i + 1 == args.size()) {
        return make_error(v1::INVALID_ARGUMENT, fmt::format("{}: missing value", name));
      }
      value = args[++i];
    }
    flags[name] = *value;
  }

  Config& c = inv.config;
  c.socket_path = defaults.socket_path;
  c.styles_dir = defaults.styles_dir;
  c.workers = defaults.cpus == 0 ? 1 : defaults.cpus;
  c.max_frame_bytes = kDefaultMaxFrameBytes;

  if (auto s = pick(kSocket, flags, env)) c.socket_path = std::string(s->value);
  if (auto s = pick(kStyles, flags, env)) c.styles_dir = std::string(s->value);
  if (auto s = pick(kWorkerBinary, flags, env)) c.worker_binary = std::string(s->value);
  if (auto s = pick(kWorkers, flags, env)) {
    auto n = parse_count(s->name, s->value, kMaxWorkers);
    if (!n) return n.error();
    c.workers = static_cast<unsigned>(*n);
  }
  if (auto s = pick(kQueueSize, flags, env)) {
    auto n = parse_count(s->name, s->value, kMaxQueueSize);
    if (!n) return n.error();
    c.queue_size = *n;
  }
  if (auto s = pick(kMaxText, flags, env)) {
    auto n = parse_count(s->name, s->value, kMaxTextLength);
    if (!n) return n.error();
    c.max_text_length = *n;
  }
  if (auto s = pick(kMaxFrame, flags, env)) {
    auto n = parse_count(s->name, s->value, kMaxFrameBytes);
    if (!n) return n.error();
    c.max_frame_bytes = *n;
  }
  // Reliability settings: whole numbers in a sane range (see docs/RELIABILITY.md).
  const auto count_setting = [&](const FlagSpec& spec, unsigned long long max,
                                 auto& out) -> std::optional<Error> {
    if (auto s = pick(spec, flags, env)) {
      auto n = parse_count(s->name, s->value, max);
      if (!n) return n.error();
      out = static_cast<std::remove_reference_t<decltype(out)>>(*n);
    }
    return std::nullopt;
  };
  if (auto s = pick(kMaxRetries, flags, env); s && s->value == "0") {
    c.max_retries = 0;  // the one setting where 0 makes sense: never retry
  } else if (auto e = count_setting(kMaxRetries, 10, c.max_retries)) {
    return *e;
  }
  if (auto e = count_setting(kDeadline, 3'600'000, c.deadline_ms)) return *e;
  if (auto e = count_setting(kDrainGrace, 3'600'000, c.drain_grace_ms)) return *e;
  if (auto e = count_setting(kPoisonTtl, 7 * 86'400, c.poison_ttl_s)) return *e;
  if (auto e = count_setting(kMaxTasksPerWorker, 1'000'000'000, c.max_tasks_per_worker)) return *e;
  if (auto e = count_setting(kMaxWorkerRss, 1'000'000, c.max_worker_rss_mb)) return *e;
  if (auto e = count_setting(kMaxConnections, 1'000'000, c.max_connections)) return *e;
  // For these two, 0 is meaningful: no per-uid limit, no idle timeout.
  if (auto s = pick(kMaxConnectionsPerUid, flags, env); s && s->value == "0") {
    c.max_connections_per_uid = 0;
  } else if (auto e = count_setting(kMaxConnectionsPerUid, 1'000'000, c.max_connections_per_uid)) {
    return *e;
  }
  if (auto s = pick(kIdleTimeout, flags, env); s && s->value == "0") {
    c.idle_timeout_ms = 0;
  } else if (auto e = count_setting(kIdleTimeout, 86'400'000, c.idle_timeout_ms)) {
    return *e;
  }
  if (auto e = count_setting(kMaxInflight, 1'000'000, c.max_inflight)) return *e;
  if (auto e = count_setting(kMaxWriteBuffer, 4096, c.max_write_buffer_mb)) return *e;
  if (auto e = count_setting(kMaxRequestFrame, kMaxFrameBytes >> 10, c.max_request_frame_kb)) return *e;
  if (auto e = count_setting(kMaxRequestBuffer, 1'000'000, c.max_request_buffer_mb)) return *e;
  if (auto s = pick(kCacheMb, flags, env); s && s->value == "0") {
    c.cache_mb = 0;  // 0 turns the cache (and single-flight) off
  } else if (auto e = count_setting(kCacheMb, 1'000'000, c.cache_mb)) {
    return *e;
  }
  // Dynamic pool sizing: off (both bounds = --workers) unless asked for.
  if (auto e = count_setting(kMinWorkersFlag, kMaxWorkers, c.min_workers)) return *e;
  if (auto e = count_setting(kMaxWorkersFlag, kMaxWorkers, c.max_workers)) return *e;
  if (auto e = count_setting(kScaleIdle, 86'400'000, c.scale_idle_ms)) return *e;
  if (c.min_workers == 0) c.min_workers = std::min(c.workers, c.max_workers == 0 ? c.workers : c.max_workers);
  if (c.max_workers == 0) c.max_workers = std::max(c.workers, c.min_workers);
  if (c.min_workers > c.max_workers) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("--min-workers {} is above --max-workers {}",
                                                        c.min_workers, c.max_workers));
  }
  c.workers = std::clamp(c.workers, c.min_workers, c.max_workers);
  if (auto s = pick(kMetricsAddress, flags, env)) {
    if (!parse_metrics_address(s->value)) {
      return bad_value(s->name, s->value,
                       "expected HOST:PORT with a port from 0 to 65535, or none for no endpoint");
    }
    c.metrics_address = std::string(s->value);
    if (c.metrics_address == "none") c.metrics_address.clear();
  }
  if (auto s = pick(kControlSocket, flags, env)) c.control_socket = std::string(s->value);
  if (auto s = pick(kControlGroup, flags, env)) c.control_group = std::string(s->value);
  if (c.socket_path.empty()) {
    return make_error(v1::INVALID_ARGUMENT, "--socket: the socket path is empty");
  }
  if (check_config) inv.action = Action::kCheckConfig;
  return inv;
}

namespace {

// The effective value of a setting, for --check-config.
std::string effective_value(std::string_view flag, const Config& c) {
  if (flag == kSocket.flag) return c.socket_path;
  if (flag == kWorkers.flag) return std::to_string(c.workers);
  if (flag == kQueueSize.flag) return std::to_string(c.queue_size);
  if (flag == kStyles.flag) return c.styles_dir;
  if (flag == kWorkerBinary.flag) return c.worker_binary.empty() ? "(searched at start)" : c.worker_binary;
  if (flag == kMaxText.flag) return std::to_string(c.max_text_length);
  if (flag == kMaxFrame.flag) return std::to_string(c.max_frame_bytes);
  if (flag == kDeadline.flag) return std::to_string(c.deadline_ms);
  if (flag == kMaxRetries.flag) return std::to_string(c.max_retries);
  if (flag == kDrainGrace.flag) return std::to_string(c.drain_grace_ms);
  if (flag == kPoisonTtl.flag) return std::to_string(c.poison_ttl_s);
  if (flag == kMaxTasksPerWorker.flag) return std::to_string(c.max_tasks_per_worker);
  if (flag == kMaxWorkerRss.flag) return std::to_string(c.max_worker_rss_mb);
  if (flag == kMaxConnections.flag) return std::to_string(c.max_connections);
  if (flag == kMaxConnectionsPerUid.flag) {
    return c.max_connections_per_uid == 0 ? "0 (no per-uid limit)" : std::to_string(c.max_connections_per_uid);
  }
  if (flag == kIdleTimeout.flag) return c.idle_timeout_ms == 0 ? "0 (never)" : std::to_string(c.idle_timeout_ms);
  if (flag == kMaxInflight.flag) return std::to_string(c.max_inflight);
  if (flag == kMaxWriteBuffer.flag) return std::to_string(c.max_write_buffer_mb);
  if (flag == kMaxRequestFrame.flag) return std::to_string(c.max_request_frame_kb);
  if (flag == kMaxRequestBuffer.flag) return std::to_string(c.max_request_buffer_mb);
  if (flag == kMetricsAddress.flag) return c.metrics_address.empty() ? "none" : c.metrics_address;
  if (flag == kCacheMb.flag) return std::to_string(c.cache_mb);
  if (flag == kControlSocket.flag) return c.control_socket.empty() ? "(beside the client socket)" : c.control_socket;
  if (flag == kMinWorkersFlag.flag) return std::to_string(c.min_workers);
  if (flag == kMaxWorkersFlag.flag) return std::to_string(c.max_workers);
  if (flag == kScaleIdle.flag) return std::to_string(c.scale_idle_ms);
  if (flag == kControlGroup.flag) return c.control_group.empty() ? "(none)" : c.control_group;
  return "(built-in)";
}

}  // namespace

std::string describe_config(const Invocation& invocation) {
  std::string out;
  for (const auto& spec : kAllFlags) {
    if (spec.flag == kConfigFile.flag) continue;
    std::string key(spec.flag.substr(2));
    for (char& ch : key) ch = ch == '-' ? '_' : ch;
    std::string origin = "default";
    for (const auto& o : invocation.origins) {
      if (o.flag == spec.flag) origin = o.origin;
    }
    out += fmt::format("{:<22} = {:<40} # {}\n", key, effective_value(spec.flag, invocation.config), origin);
  }
  return out;
}

std::string usage() {
  return fmt::format(
      "Usage: stickerd [FLAGS]\n"
      "\n"
      "Renders text stickers for chat bots: clients send protobuf frames on a Unix\n"
      "socket, a pool of stickerd-worker processes renders them.\n"
      "\n"
      "Flags (a flag beats its environment variable, which beats the default):\n"
      "  --socket PATH          client socket [STICKERD_SOCKET;\n"
      "                         default $RUNTIME_DIRECTORY/stickerd.sock, else ./run/stickerd.sock]\n"
      "  --workers N            worker processes [WORKER_POOL_SIZE; default: number of CPUs]\n"
      "  --queue-size N         tasks waiting for a worker before QUEUE_FULL\n"
      "                         [WORKER_QUEUE_SIZE; default 100]\n"
      "  --styles DIR           style catalogue directory [STICKERD_STYLES_DIR;\n"
      "                         default: the installed catalogue, else the source tree's styles/]\n"
      "  --worker-binary PATH   the worker executable [STICKERD_WORKER_BINARY; default:\n"
      "                         stickerd-worker next to stickerd, then ../worker/, then {}]\n"
      "  --max-text-length N    longest accepted text in code points [default 256]\n"
      "  --max-frame-bytes N    largest accepted frame on any stream (worker results\n"
      "                         included) [default {}]\n"
      "  --deadline-ms N        longest a task may take, queue time included; a request's\n"
      "                         deadline_ms may ask for less [STICKERD_DEADLINE_MS; default 10000]\n"
      "  --max-retries N        re-runs of a task whose worker died before it is POISONED\n"
      "                         [default 1]\n"
      "  --drain-grace-ms N     on SIGTERM, how long queued and running work may take to\n"
      "                         finish; then it is answered SHUTTING_DOWN\n"
      "                         [STICKERD_DRAIN_GRACE_MS; default 30000]\n"
      "  --poison-ttl-s N       how long a poisoned request is refused [default 600]\n"
      "  --max-tasks-per-worker N  recycle a worker after about N tasks (±10%) [default 1000]\n"
      "  --max-worker-rss-mb N  recycle a worker whose memory passes N MiB [default 512]\n"
      "  --max-connections N    client connections; more are refused CONNECTION_LIMIT\n"
      "                         [default 1024]\n"
      "  --max-connections-per-uid N  client connections from one peer uid (SO_PEERCRED);\n"
      "                         more are refused CONNECTION_LIMIT [default 512; 0: no limit]\n"
      "  --idle-timeout-ms N    close a client connection with no request in flight that\n"
      "                         sent nothing for N ms [default 0: never]\n"
      "  --max-inflight N       pending requests per connection [default 256]\n"
      "  --max-write-buffer-mb N  unread replies a client may leave before it is\n"
      "                         disconnected [default 16]\n"
      "  --max-request-frame-kb N  largest frame a client may send, checked on its length\n"
      "                         before it is read: FRAME_TOO_LARGE and a close [default 64]\n"
      "  --max-request-buffer-mb N  unfinished request frames all connections together may\n"
      "                         hold; a frame that does not fit is refused FRAME_TOO_LARGE\n"
      "                         and its connection closed [default 32]\n"
      "  --enable-test-styles   accept the test-crash/-hang/-leak/-exit styles (tests only)\n"
      "  --metrics-address HOST:PORT  Prometheus /metrics and /health endpoint\n"
      "                         [STICKERD_METRICS_ADDRESS; default 127.0.0.1:9464; '' or none: off]\n"
      "  --control-socket PATH  control socket for stickerctl, mode 0600 [STICKERD_CONTROL_SOCKET;\n"
      "                         default: control.sock beside the client socket's default]\n"
      "  --control-group NAME   also allow this group on the control socket (mode 0660)\n"
      "                         [STICKERD_CONTROL_GROUP]\n"
      "  --cache-mb N           result cache budget in MiB; 0 disables the cache and\n"
      "                         single-flight [STICKERD_CACHE_MB; default 64]\n"
      "  --min-workers N, --max-workers N  grow the pool while tasks queue and shrink it\n"
      "                         when idle, within these bounds [default: both --workers, off]\n"
      "  --scale-idle-ms N      idle time before the pool shrinks by one [default 30000]\n"
      "  --config FILE          settings from a JSON file (proto/config.proto: keys are the\n"
      "                         flag names with _, e.g. {{\"workers\": 8}}) [STICKERD_CONFIG];\n"
      "                         flag > environment > file > default\n"
      "  --check-config         validate the settings, print each with its origin, exit\n"
      "  --help                 this text\n"
      "  --version              the version\n"
      "\n"
      "Signals: SIGTERM or SIGINT drains: new requests get SHUTTING_DOWN, queued and\n"
      "running work finishes within --drain-grace-ms, whatever is left then is answered\n"
      "SHUTTING_DOWN (its workers killed), and stickerd exits 0. A second SIGTERM/SIGINT\n"
      "does that at once and exits 1. SIGHUP re-reads the styles and replaces the workers\n"
      "one at a time while serving (a rolling restart).\n"
      "Exit status: 0 clean shutdown, 1 runtime failure, 2 bad flags or environment.\n",
      STICKERD_LIBEXECDIR, kDefaultMaxFrameBytes);
}

std::vector<std::string> worker_binary_candidates(const std::string& self_exe) {
  const std::filesystem::path dir = std::filesystem::path(self_exe).parent_path();
  return {
      (dir / "stickerd-worker").string(),
      (dir.parent_path() / "worker" / "stickerd-worker").string(),
      (std::filesystem::path(STICKERD_LIBEXECDIR) / "stickerd-worker").string(),
  };
}

}  // namespace stickerd
