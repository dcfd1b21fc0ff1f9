// Text layout and auto-fit: the largest font size at which the wrapped text,
// grown by its outline and shadow, fits the box. Pure: pango only, no drawing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/picture/handles.h"
#include "worker/scene/unknown_glyphs.h"

namespace stickerd::render {

// What the text must fit into, in canvas pixels.
struct FitBox {
  double width = 0;
  double height = 0;
  double outset = 0;  // half the widest outline: the ink grows this much on every side
  double shadow_dx = 0;
  double shadow_dy = 0;
  std::uint32_t max_lines = 0;
  // Vector output (TGS): emoji come from this outline font instead of the
  // colour bitmap font, whose glyphs have no usable path. Empty: no override.
  std::string emoji_font;
  // Families tried after the font's own, comma-separated (the font set's
  // fallback chain), in the font's weight. Empty: fontconfig's order alone.
  std::string fallback;
};

// A rectangle in pixels (pango's are integer Pango units).
struct Box {
  double x = 0, y = 0, width = 0, height = 0;
};

struct FittedLayout {
  picture::PangoLayoutPtr layout;
  int font_px = 0;
  int line_count = 0;
  bool words_broken = false;  // PANGO_WRAP_WORD_CHAR was needed
  Box ink;                    // ink extents of the glyphs alone, layout coordinates
  Box extent;                 // ink grown by the outline and the shadow, layout coordinates
  // 1 normally; below 1 only when even the smallest font overflows (a very
  // long text), so the drawing is scaled down instead of clipped.
  double scale = 1;
  // Characters no font draws (boxes). fit_layout still returns the layout;
  // the renderer refuses it with UNSUPPORTED_TEXT.
  UnknownGlyphs unknown;
};

inline constexpr int kMinFontPx = 4;
inline constexpr int kMaxFontPx = 512;  // lets a single glyph fill the canvas
// Lines when a style leaves max_lines at 0.
inline constexpr std::uint32_t kDefaultMaxLines = 3;

// Lays `text` out in `font` (a pango font description) and picks the font size.
// INVALID_ARGUMENT when the text is not UTF-8, has nothing visible, or the box
// leaves no room.
Result<FittedLayout> fit_layout(PangoContext* context, std::string_view text,
                                const std::string& font, const FitBox& box);

}  // namespace stickerd::render
