// stickerctl's command line parser.
#include "ctl/options.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "ctl/formats.h"

namespace stickerd::ctl {
namespace {

Error usage(std::string message) { return make_error(v1::INVALID_ARGUMENT, std::move(message)); }

std::optional<Command> parse_command(std::string_view name) {
  if (name == "render") return Command::kRender;
  if (name == "batch") return Command::kBatch;
  if (name == "gallery") return Command::kGallery;
  if (name == "stats") return Command::kStats;
  if (name == "styles") return Command::kStyles;
  if (name == "poison") return Command::kPoison;
  if (name == "fonts") return Command::kFonts;
  if (name == "sheet") return Command::kSheet;
  if (name == "workers") return Command::kWorkers;
  if (name == "top") return Command::kTop;
  if (name == "cache") return Command::kCacheTop;  // its one subcommand, "top", is checked later
  if (name == "cluster") return Command::kCluster;
  if (name == "scale") return Command::kScale;
  if (name == "drain") return Command::kDrain;
  if (name == "resume") return Command::kResume;
  if (name == "restart-workers") return Command::kRestartWorkers;
  if (name == "reload") return Command::kReload;
  return std::nullopt;
}

std::vector<std::string> split_commas(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

constexpr std::array<std::string_view, 11> kKnownOptions{
    "--socket", "--timeout", "--style",          "--styles",        "--format", "--profile",
    "-o",       "--json",    "--control-socket", "--contact-sheet", "--exit"};

bool is_known(std::string_view option) {
  return std::find(kKnownOptions.begin(), kKnownOptions.end(), option) != kKnownOptions.end();
}

// Which options each command accepts, so a misplaced one is reported rather
// than silently ignored.
bool accepts(Command command, std::string_view option) {
  if (option == "--socket" || option == "--timeout") return true;
  switch (command) {
    case Command::kRender:
      return option == "--style" || option == "--format" || option == "--profile" || option == "-o";
    case Command::kBatch:
      return option == "--styles" || option == "--format" || option == "--profile" ||
             option == "-o";
    case Command::kGallery:
      return option == "--styles" || option == "-o" || option == "--json" ||
             option == "--contact-sheet";
    case Command::kSheet:
      return option == "--style" || option == "--format" || option == "--contact-sheet";
    case Command::kStats:
    case Command::kStyles:
    case Command::kPoison:
    case Command::kFonts:
      return option == "--json";
    case Command::kWorkers:
    case Command::kTop:
    case Command::kCacheTop:
    case Command::kDrain:
      return option == "--json" || option == "--control-socket" || option == "--exit";
    case Command::kCluster:
    case Command::kScale:
    case Command::kResume:
    case Command::kRestartWorkers:
    case Command::kReload:
      return option == "--json" || option == "--control-socket";
    case Command::kHelp:
    case Command::kVersion:
      return false;
  }
  return false;
}

}  // namespace

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options options;
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> settings;  // option, value ("" for flags)

  bool options_ended = false;  // after "--", so a TEXT may start with '-'
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (options_ended) {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help" || arg == "--version") {
      options.command = arg == "--version" ? Command::kVersion : Command::kHelp;
      return options;
    }
    if (arg == "--output") arg = "-o";
    if (arg == "--json" || arg == "--exit") {  // flags: no value
      settings.emplace_back(arg, "");
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      std::string value;
      if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg.resize(eq);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return usage(fmt::format("option {} needs a value", arg));
      }
      settings.emplace_back(arg, value);
      continue;
    }
    positional.push_back(arg);
  }

  if (positional.empty()) {
    return usage(
        "no command given (render, batch, gallery, sheet, stats, styles, fonts, poison, workers, "
        "top, cache top, cluster, scale, drain, resume, restart-workers or reload)");
  }
  const auto command = parse_command(positional[0]);
  if (!command) return usage(fmt::format("unknown command '{}'", positional[0]));
  options.command = *command;

  const bool takes_text = *command == Command::kRender || *command == Command::kBatch ||
                          *command == Command::kGallery || *command == Command::kSheet;
  const bool has_argument = takes_text || *command == Command::kScale;
  const std::size_t expected = has_argument || *command == Command::kCacheTop ? 2 : 1;
  if (*command == Command::kCacheTop && (positional.size() < 2 || positional[1] != "top")) {
    return usage("cache wants its subcommand: cache top");
  }
  if (positional.size() < expected) {
    return usage(
        fmt::format("{} needs {}", positional[0], takes_text ? "a TEXT" : "a worker count N"));
  }
  if (positional.size() > expected) {
    return usage(fmt::format("unexpected argument '{}'", positional[expected]));
  }
  if (takes_text) options.text = positional[1];
  if (*command == Command::kScale) {
    const std::string& n = positional[1];
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), options.scale_workers);
    if (ec != std::errc() || end != n.data() + n.size() || options.scale_workers == 0) {
      return usage(fmt::format("scale wants a positive number of workers, not '{}'", n));
    }
  }

  for (const auto& [option, value] : settings) {
    if (!is_known(option)) return usage(fmt::format("unknown option {}", option));
    if (!accepts(*command, option)) {
      return usage(fmt::format("{} does not take {}", positional[0], option));
    }
    if (option == "--socket") {
      options.socket_path = value;
    } else if (option == "--control-socket") {
      options.control_socket = value;
    } else if (option == "--timeout") {
      unsigned seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec != std::errc() || end != value.data() + value.size() || seconds == 0) {
        return usage(fmt::format("--timeout wants a positive number of seconds, not '{}'", value));
      }
      options.timeout = std::chrono::seconds(seconds);
    } else if (option == "--style") {
      options.style_id = value;
    } else if (option == "--styles") {
      options.style_ids = split_commas(value);
    } else if (option == "--format") {
      const auto format = parse_format(value);
      if (!format) {
        return usage(
            fmt::format("unknown format '{}' (webp, png, webp_animated, tgs, webm)", value));
      }
      options.format = *format;
    } else if (option == "--profile") {
      const auto profile = parse_profile(value);
      if (!profile) {
        return usage(
            fmt::format("unknown profile '{}' (telegram, whatsapp, none, telegram-emoji)", value));
      }
      options.profile = *profile;
    } else if (option == "-o") {
      options.output = value;
    } else if (option == "--contact-sheet") {
      options.contact_sheet = value;
    } else if (option == "--exit") {
      options.drain_exit = true;
    } else {
      options.json = true;
    }
  }

  if (*command == Command::kSheet) {
    if (options.contact_sheet.empty()) return usage("sheet needs --contact-sheet FILE");
  } else if (takes_text && options.output.empty()) {
    return usage(fmt::format("{} needs -o {}", positional[0],
                             *command == Command::kRender ? "FILE" : "DIR"));
  }
  return options;
}

}  // namespace stickerd::ctl
