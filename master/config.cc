// Config: flags > environment > defaults, with errors that name their source.
#include "master/config.h"

#include <charconv>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "build_config.h"
#include "common/frame.h"

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
constexpr FlagSpec kAllFlags[] = {kSocket,  kWorkers,      kQueueSize, kStyles,
                                  kWorkerBinary, kMaxText, kMaxFrame};

// The value a setting takes: the flag's if given, else the variable's, else none.
struct Source {
  std::string_view name;  // for error messages
  std::string_view value;
};

std::optional<Source> pick(const FlagSpec& spec, const std::map<std::string_view, std::string_view>& flags,
                           const Environment& env) {
  if (auto it = flags.find(spec.flag); it != flags.end()) return Source{spec.flag, it->second};
  if (!spec.env.empty()) {
    if (auto v = env_value(env, spec.env)) return Source{spec.env, *v};
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

Result<Invocation> parse_config(const std::vector<std::string_view>& args, const Environment& env,
                                const ConfigDefaults& defaults) {
  Invocation inv;
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
  if (c.socket_path.empty()) {
    return make_error(v1::INVALID_ARGUMENT, "--socket: the socket path is empty");
  }
  return inv;
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
      "  --max-frame-bytes N    largest accepted request frame [default {}]\n"
      "  --help                 this text\n"
      "  --version              the version\n"
      "\n"
      "Signals: SIGTERM or SIGINT drains (finishes queued and running work, then exits 0);\n"
      "a second one exits at once.\n"
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
