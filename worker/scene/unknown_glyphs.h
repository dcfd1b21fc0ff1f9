// Unknown glyphs: characters no font in the font set draws, which pango would
// paint as hex boxes ("tofu"). A sticker with one is refused, never sent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pango/pango.h>

namespace stickerd::render {

struct UnknownGlyphs {
  int count = 0;  // pango_layout_get_unknown_glyphs_count
  std::vector<std::uint32_t>
      first;  // the first few code points behind them, in line and run order, no repeats
};

// How many code points UnknownGlyphs::first names at most.
inline constexpr std::size_t kListedUnknown = 4;

// Walks the layout's glyph strings for PANGO_GLYPH_UNKNOWN_FLAG glyphs and
// maps each back to its character through the run's log clusters.
UnknownGlyphs find_unknown_glyphs(PangoLayout* layout);

// "no font has U+E000, U+10FFFD" (with "and N more" past the listed ones).
std::string describe_unknown(const UnknownGlyphs& unknown);

}  // namespace stickerd::render
