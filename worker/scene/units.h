// The text's animatable units: grapheme clusters, or whole words in scripts
// whose letters join (Arabic, Devanagari...), so no animation ever splits a
// cluster or tears a joined word apart.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "common/picture/handles.h"
#include "worker/scene/layout.h"

namespace stickerd::render {

using PangoGlyphStringPtr =
    std::unique_ptr<PangoGlyphString, picture::Deleter<PangoGlyphString, pango_glyph_string_free>>;
using PangoFontPtr =
    std::unique_ptr<PangoFont, picture::Deleter<PangoFont, picture::unref_gobject<PangoFont>>>;

// Glyphs from a colour bitmap font (emoji): shown as glyphs, never traced.
struct BitmapGlyphs {
  PangoFontPtr font;
  PangoGlyphStringPtr glyphs;
  double x = 0, y = 0;  // baseline origin, layout coordinates
};

struct Unit {
  picture::CairoPathPtr path;  // vector glyph outlines, layout coordinates
  std::vector<BitmapGlyphs> bitmaps;
  Box ink;                // layout coordinates
  double cx = 0, cy = 0;  // pivot for rotation and scale: the ink centre
  bool has_vector = false;
  std::uint32_t first = 0;  // its first character (a code point), for errors
};

// Splits `layout` into units in logical (reading) order. `cr` is scratch space
// for building paths (its path is cleared).
std::vector<Unit> split_units(cairo_t* cr, PangoLayout* layout);

// True when the font carries PNG colour glyphs (CBDT/sbix).
bool is_bitmap_colour_font(PangoFont* font);

}  // namespace stickerd::render
