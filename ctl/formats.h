// Command-line names of formats and profiles, and file extensions per format.
#pragma once

#include <optional>
#include <string_view>

#include "stickerd.pb.h"

namespace stickerd::ctl {

// "webp", "png", "webp_animated", "tgs".
std::optional<v1::Format> parse_format(std::string_view name);
std::string_view format_name(v1::Format format);
// The file extension without the dot: an animated WebP is still ".webp".
std::string_view format_extension(v1::Format format);

// "telegram", "whatsapp", "none".
std::optional<v1::Profile> parse_profile(std::string_view name);
std::string_view profile_name(v1::Profile profile);

}  // namespace stickerd::ctl
