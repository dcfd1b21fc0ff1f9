// stickerctl --help text: commands, options and the exit-code table.
#pragma once

#include <string>

namespace stickerd::ctl {

std::string usage_text();

}  // namespace stickerd::ctl
