// The settings table as text: --help (usage) and --check-config
// (describe_config).
#include <string>

#include <fmt/format.h>

#include "build_config.h"
#include "master/config/config.h"
#include "master/config/settings.h"

namespace stickerd {
namespace {

constexpr std::string_view kUsageHead =
    "Usage: stickerd [FLAGS]\n"
    "\n"
    "Renders text stickers for chat bots: clients send protobuf frames on a Unix\n"
    "socket, a pool of stickerd-worker processes renders them.\n"
    "\n"
    "Flags (a flag beats its environment variable, which beats the default):\n";

// The flags that are actions rather than settings (parse_config's scan).
constexpr std::string_view kUsageTail =
    "  --check-config         validate the settings, print each with its origin, exit\n"
    "  --help                 this text\n"
    "  --version              the version\n"
    "\n"
    "Signals: SIGTERM or SIGINT drains: new requests get SHUTTING_DOWN, queued and\n"
    "running work finishes within --drain-grace-ms, whatever is left then is answered\n"
    "SHUTTING_DOWN (its workers killed), and stickerd exits 0. A second SIGTERM/SIGINT\n"
    "does that at once and exits 1. SIGHUP re-reads the styles and replaces the workers\n"
    "one at a time while serving (a rolling restart).\n"
    "Exit status: 0 clean shutdown, 1 runtime failure, 2 bad flags or environment.\n";

// --help's column of descriptions, and its continuation lines' indent.
constexpr std::size_t kHelpColumn = 25;

std::string default_text(const Setting& s) {
  return s.computed_default ? s.computed_default(ConfigDefaults{}) : std::string(s.fallback);
}

// A row's --help text with its placeholders filled and its lines indented.
std::string help_text(const Setting& s) {
  const std::string text = fmt::format(fmt::runtime(s.help), fmt::arg("env", s.env),
                                       fmt::arg("default", default_text(s)),
                                       fmt::arg("libexecdir", STICKERD_LIBEXECDIR));
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out.append(kHelpColumn, ' ');
  }
  return out;
}

// The effective value of a setting, for --check-config.
std::string effective_value(const Setting& s, const Config& c) {
  std::string value = s.field.get(c);
  if ((value.empty() || value == "0") && !s.unset_text.empty()) return std::string(s.unset_text);
  return s.shown ? s.shown(value) : value;
}

}  // namespace

std::string describe_config(const Invocation& invocation) {
  std::string out;
  for (const Setting& s : settings()) {
    if (s.field.get == nullptr || s.kind == Kind::kSwitch)
      continue;  // --config, --enable-test-styles
    std::string origin = "default";
    for (const auto& o : invocation.origins) {
      if (o.flag == s.flag) origin = o.origin;
    }
    out +=
        fmt::format("{:<22} = {:<40} # {}\n", s.key, effective_value(s, invocation.config), origin);
  }
  return out;
}

std::string usage() {
  std::string out(kUsageHead);
  std::string label;  // rows without help text join the next row's line
  for (const Setting* s : settings_by_section()) {
    if (!label.empty()) label += ", ";
    label += s->arg.empty() ? std::string(s->flag) : fmt::format("{} {}", s->flag, s->arg);
    if (s->help.empty()) continue;
    out += fmt::format("  {:<{}}{}\n", label + "  ", kHelpColumn - 2, help_text(*s));
    label.clear();
  }
  out += kUsageTail;
  return out;
}

}  // namespace stickerd
