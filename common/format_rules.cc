// Formats each target profile accepts.
#include "common/format_rules.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace stickerd {
namespace {

std::string short_name(const std::string& enum_name, const std::string& prefix) {
  std::string s = enum_name.rfind(prefix, 0) == 0 ? enum_name.substr(prefix.size()) : enum_name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string format_name(v1::Format format) {
  return short_name(v1::Format_Name(format), "FORMAT_");
}
std::string profile_name(v1::Profile profile) {
  return short_name(v1::Profile_Name(profile), "PROFILE_");
}

std::optional<std::string> format_profile_conflict(v1::Format format, v1::Profile profile) {
  if (profile == v1::PROFILE_WHATSAPP && (format == v1::FORMAT_PNG || format == v1::FORMAT_TGS)) {
    return fmt::format("WhatsApp stickers are WebP; format {} is not offered for profile whatsapp",
                       format_name(format));
  }
  if (profile == v1::PROFILE_WHATSAPP && format == v1::FORMAT_WEBM) {
    return "WhatsApp does not take video stickers; ask for format webp_animated for an animated "
           "WhatsApp sticker";
  }
  if ((profile == v1::PROFILE_TELEGRAM || profile == v1::PROFILE_UNSPECIFIED ||
       profile == v1::PROFILE_TELEGRAM_EMOJI) &&
      format == v1::FORMAT_WEBP_ANIMATED) {
    return "Telegram does not animate WebP stickers; ask for format tgs or webm for an animated "
           "Telegram sticker";
  }
  return std::nullopt;
}

v1::Format default_format_for(const v1::StyleSpec& style, v1::Profile profile) {
  for (int f : style.formats()) {
    if (!format_profile_conflict(static_cast<v1::Format>(f), profile))
      return static_cast<v1::Format>(f);
  }
  return style.formats().empty() ? v1::FORMAT_WEBP : static_cast<v1::Format>(style.formats(0));
}

}  // namespace stickerd
