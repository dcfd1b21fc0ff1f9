// Which formats each target profile accepts, shared by admission (refuse
// before queueing) and the renderer (never produce a file the target rejects).
#pragma once

#include <optional>
#include <string>

#include "stickerd.pb.h"
#include "style.pb.h"

namespace stickerd {

// Lower-case wire names without the enum prefix: "webp_animated", "whatsapp".
std::string format_name(v1::Format format);
std::string profile_name(v1::Profile profile);

// Why `profile` cannot take `format`, or nullopt when the pair is valid.
// Telegram never animates WebP (animated stickers are TGS); WhatsApp takes
// only WebP; the web ("none") takes anything.
std::optional<std::string> format_profile_conflict(v1::Format format, v1::Profile profile);

// The format a request gets when it names none: the style's first declared
// format that `profile` accepts, else its first format (which admission then
// refuses with a sentence saying why).
v1::Format default_format_for(const v1::StyleSpec& style, v1::Profile profile);

}  // namespace stickerd
