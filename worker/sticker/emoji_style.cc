#include "worker/sticker/emoji_style.h"

#include <algorithm>

#include "worker/scene/layout.h"

namespace stickerd::render {

v1::StyleSpec emoji_style(const v1::StyleSpec& style) {
  v1::StyleSpec emoji = style;
  const std::uint32_t lines = style.max_lines() == 0 ? kDefaultMaxLines : style.max_lines();
  emoji.set_max_lines(std::min(lines, kEmojiMaxLines));
  for (v1::Stroke& outline : *emoji.mutable_outlines())
    outline.set_width(outline.width() * kEmojiOutlineGain);
  if (emoji.has_bubble() && emoji.bubble().has_outline()) {
    v1::Stroke* border = emoji.mutable_bubble()->mutable_outline();
    border->set_width(border->width() * kEmojiOutlineGain);
  }
  return emoji;
}

}  // namespace stickerd::render
