// Telegram custom emoji: stills and WEBM exactly 100x100, shown inline at
// text size. The renderer draws them at 512 and scales by 100/512, which
// would thin a style's 8 px outline to 1.6 px and shrink three lines of text
// past reading; so an emoji's style keeps fewer lines and wider outlines.
#pragma once

#include <cstdint>

#include "style.pb.h"

namespace stickerd::render {

inline constexpr int kEmojiPx = 100;
inline constexpr std::uint32_t kEmojiMaxLines = 2;
// Outline widths (and a bubble's border) are multiplied by this.
inline constexpr double kEmojiOutlineGain = 2;

// `style` as an emoji draws it at 512: at most kEmojiMaxLines lines, every
// outline kEmojiOutlineGain times as wide. Colours, effects and animation
// stay the style's own.
v1::StyleSpec emoji_style(const v1::StyleSpec& style);

}  // namespace stickerd::render
