// Config: flags > environment > file > defaults, row by row of the settings
// table, with errors that name their source.
#include "master/config/config.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "build_config.h"
#include "master/config/metrics_address.h"
#include "master/config/redis_url.h"
#include "master/config/settings.h"

namespace stickerd {
namespace {

using FlagValues = std::map<std::string_view, std::string_view>;

// What parse_config reads: passed to each step rather than kept anywhere.
struct Sources {
  const FlagValues& flags;
  const Environment& env;
  const FileSettings& file;
};

// The value a setting takes from the first source that gives one.
struct Picked {
  std::string name;  // the flag, variable or file key, for error messages
  std::string_view value;
  std::string origin;  // for --check-config
};

// The arguments without the settings they give.
struct Arguments {
  Action action = Action::kRun;
  FlagValues flags;
};

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

std::optional<Picked> pick(const Setting& s, const Sources& from) {
  if (auto it = from.flags.find(s.flag); it != from.flags.end()) {
    return Picked{std::string(s.flag), it->second, "flag"};
  }
  if (!s.env.empty()) {
    if (auto v = env_value(from.env, s.env))
      return Picked{std::string(s.env), *v, fmt::format("env {}", s.env)};
  }
  if (auto it = from.file.values.find(s.flag); it != from.file.values.end()) {
    return Picked{fmt::format("config file {}: {}", from.file.path, s.key), it->second,
                  fmt::format("file {}", from.file.path)};
  }
  return std::nullopt;
}

// The text to store for a picked value, or the error naming its source.
Result<std::string> check(const Setting& s, const Picked& p) {
  switch (s.kind) {
    case Kind::kCount: {
      if (s.zero_allowed && p.value == "0") return std::string("0");
      auto n = parse_count(p.name, p.value, s.max);
      if (!n) return n.error();
      return std::to_string(*n);
    }
    case Kind::kAddress:
      if (!parse_metrics_address(p.value)) {
        return bad_value(p.name, p.value,
                         "expected HOST:PORT with a port from 0 to 65535, or none for no endpoint");
      }
      return p.value == "none" ? std::string() : std::string(p.value);
    case Kind::kOnOff:
      if (p.value != "on" && p.value != "off")
        return bad_value(p.name, p.value, "expected on or off");
      break;
    case Kind::kRedisUrl:
      if (p.value.empty()) break;
      if (auto url = parse_redis_url(p.value); !url) {
        return make_error(v1::INVALID_ARGUMENT, fmt::format("{}: {}", p.name, url.error().message));
      }
      break;
    case Kind::kText:
    case Kind::kSwitch:
      break;
  }
  return std::string(p.value);
}

// Sorts the arguments into an action and flag values; a switch's value is "true".
Result<Arguments> scan(const std::vector<std::string_view>& args) {
  Arguments out;
  bool check_config = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") return Arguments{Action::kHelp, {}};
    if (arg == "--version") return Arguments{Action::kVersion, {}};
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
    const Setting* s = find_setting(name);
    if (s == nullptr || (s->kind == Kind::kSwitch && value)) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("unknown argument '{}' (see --help)", arg));
    }
    if (s->kind == Kind::kSwitch) value = "true";
    if (!value) {
      if (i + 1 == args.size()) {
        return make_error(v1::INVALID_ARGUMENT, fmt::format("{}: missing value", name));
      }
      value = args[++i];
    }
    out.flags[name] = *value;
  }
  if (check_config) out.action = Action::kCheckConfig;
  return out;
}

// The rules between settings: the dynamic pool's bounds default to --workers
// (so sizing is off unless asked for) and hold it; a socket path is needed.
std::optional<Error> settle(Config& c) {
  if (c.min_workers == 0)
    c.min_workers = std::min(c.workers, c.max_workers == 0 ? c.workers : c.max_workers);
  if (c.max_workers == 0) c.max_workers = std::max(c.workers, c.min_workers);
  if (c.min_workers > c.max_workers) {
    return make_error(
        v1::INVALID_ARGUMENT,
        fmt::format("--min-workers {} is above --max-workers {}", c.min_workers, c.max_workers));
  }
  c.workers = std::clamp(c.workers, c.min_workers, c.max_workers);
  if (c.socket_path.empty()) {
    return make_error(v1::INVALID_ARGUMENT, "--socket: the socket path is empty");
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string_view>& config_env_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const Setting& s : settings()) {
      if (!s.env.empty()) v.push_back(s.env);
    }
    return v;
  }();
  return names;
}

std::optional<std::string> config_file_path(const std::vector<std::string_view>& args,
                                            const Environment& env) {
  const Setting& s = config_file_setting();
  const std::string with_value = fmt::format("{}=", s.flag);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == s.flag && i + 1 < args.size()) return std::string(args[i + 1]);
    if (args[i].starts_with(with_value)) return std::string(args[i].substr(with_value.size()));
  }
  if (auto v = env_value(env, s.env)) return std::string(*v);
  return std::nullopt;
}

Result<Invocation> parse_config(const std::vector<std::string_view>& args, const Environment& env,
                                const ConfigDefaults& defaults) {
  return parse_config(args, env, defaults, FileSettings{});
}

Result<Invocation> parse_config(const std::vector<std::string_view>& args, const Environment& env,
                                const ConfigDefaults& defaults, const FileSettings& file) {
  auto arguments = scan(args);
  if (!arguments) return arguments.error();
  Invocation inv;
  inv.action = arguments->action;
  if (inv.action == Action::kHelp || inv.action == Action::kVersion) return inv;
  const Sources from{arguments->flags, env, file};
  for (const Setting& s : settings()) {
    if (s.field.set == nullptr) continue;  // --config: main() reads it
    auto picked = pick(s, from);
    if (!picked) {
      s.field.set(inv.config,
                  s.computed_default ? s.computed_default(defaults) : std::string(s.fallback));
      continue;
    }
    inv.origins.push_back({std::string(s.flag), std::string(picked->value), picked->origin});
    auto text = check(s, *picked);
    if (!text) return text.error();
    s.field.set(inv.config, *text);
  }
  if (auto error = settle(inv.config)) return *error;
  return inv;
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
