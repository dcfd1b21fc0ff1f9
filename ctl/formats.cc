// Command-line names of formats and profiles.
#include "ctl/formats.h"

#include <array>
#include <utility>

namespace stickerd::ctl {
namespace {

constexpr std::array<std::pair<std::string_view, v1::Format>, 5> kFormats{{
    {"webp", v1::FORMAT_WEBP},
    {"png", v1::FORMAT_PNG},
    {"webp_animated", v1::FORMAT_WEBP_ANIMATED},
    {"tgs", v1::FORMAT_TGS},
    {"webm", v1::FORMAT_WEBM},
}};

constexpr std::array<std::pair<std::string_view, v1::Profile>, 4> kProfiles{{
    {"telegram", v1::PROFILE_TELEGRAM},
    {"whatsapp", v1::PROFILE_WHATSAPP},
    {"none", v1::PROFILE_NONE},
    {"telegram-emoji", v1::PROFILE_TELEGRAM_EMOJI},
}};

}  // namespace

std::optional<v1::Format> parse_format(std::string_view name) {
  for (const auto& [n, f] : kFormats) {
    if (n == name) return f;
  }
  return std::nullopt;
}

std::string_view format_name(v1::Format format) {
  for (const auto& [n, f] : kFormats) {
    if (f == format) return n;
  }
  return "unspecified";
}

std::string_view format_extension(v1::Format format) {
  switch (format) {
    case v1::FORMAT_PNG:
      return "png";
    case v1::FORMAT_TGS:
      return "tgs";
    case v1::FORMAT_WEBM:
      return "webm";
    default:
      return "webp";
  }
}

std::optional<v1::Profile> parse_profile(std::string_view name) {
  for (const auto& [n, p] : kProfiles) {
    if (n == name) return p;
  }
  return std::nullopt;
}

std::string_view profile_name(v1::Profile profile) {
  for (const auto& [n, p] : kProfiles) {
    if (p == profile) return n;
  }
  return "default";
}

}  // namespace stickerd::ctl
