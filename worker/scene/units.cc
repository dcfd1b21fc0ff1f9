// Splitting a laid-out text into animatable units.
//
// Pango has already shaped whole lines (HarfBuzz), so each glyph carries the
// byte offset of its cluster: glyphs that formed a ligature or a conjunct share
// one. A unit gathers every glyph of one cluster; in joining scripts it
// gathers every glyph of one word, because moving a single Arabic letter would
// break the joins the shaper made. Glyph positions come from the shaped line,
// so a still frame of all units is pixel-identical to drawing the layout whole.
#include "worker/scene/units.h"

#include <algorithm>
#include <map>

#include <hb-ot.h>

namespace stickerd::render {
namespace {

bool joins_letters(PangoScript script) {
  switch (script) {
    case PANGO_SCRIPT_ARABIC:
    case PANGO_SCRIPT_SYRIAC:
    case PANGO_SCRIPT_NKO:
    case PANGO_SCRIPT_MONGOLIAN:
    case PANGO_SCRIPT_DEVANAGARI:
    case PANGO_SCRIPT_BENGALI:
    case PANGO_SCRIPT_GURMUKHI:
      return true;
    default:
      return false;
  }
}

Box union_box(const Box& a, const Box& b) {
  if (a.width <= 0 || a.height <= 0) return b;
  if (b.width <= 0 || b.height <= 0) return a;
  const double x1 = std::max(a.x + a.width, b.x + b.width),
               y1 = std::max(a.y + a.height, b.y + b.height);
  Box u{std::min(a.x, b.x), std::min(a.y, b.y), 0, 0};
  u.width = x1 - u.x;
  u.height = y1 - u.y;
  return u;
}

// For every character, the index of the first character of its word (a run
// of non-white characters), or of itself when it is white space.
std::vector<int> word_starts(PangoLayout* layout) {
  int n = 0;
  const PangoLogAttr* attrs = pango_layout_get_log_attrs_readonly(layout, &n);
  std::vector<int> starts(static_cast<std::size_t>(std::max(n, 1)));
  int start = 0;
  for (int i = 0; i < n; ++i) {
    if (attrs[i].is_white || i == 0 || attrs[i - 1].is_white) start = i;
    starts[static_cast<std::size_t>(i)] = start;
  }
  return starts;
}

PangoGlyphStringPtr slice(const PangoGlyphString* glyphs, int from, int to) {
  PangoGlyphStringPtr out(pango_glyph_string_new());
  pango_glyph_string_set_size(out.get(), to - from);
  std::copy(glyphs->glyphs + from, glyphs->glyphs + to, out->glyphs);
  std::copy(glyphs->log_clusters + from, glyphs->log_clusters + to, out->log_clusters);
  return out;
}

struct VectorPart {
  PangoFont* font;  // owned by the layout, which outlives the split
  PangoGlyphStringPtr glyphs;
  double x, y;
};

struct Building {
  std::vector<VectorPart> vector_runs;
  std::vector<BitmapGlyphs> bitmaps;
  Box ink;
  gunichar first = 0;  // the unit's first character, for errors
};

}  // namespace

bool is_bitmap_colour_font(PangoFont* font) {
  hb_font_t* hb = pango_font_get_hb_font(font);
  return hb && hb_ot_color_has_png(hb_font_get_face(hb));
}

std::vector<Unit> split_units(cairo_t* cr, PangoLayout* layout) {
  const char* text = pango_layout_get_text(layout);
  const std::vector<int> words = word_starts(layout);
  std::map<int, Building>
      by_key;  // key: first character of the unit, so map order is reading order

  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoGlyphItem* run = pango_layout_iter_get_run_readonly(iter);
    if (!run) continue;
    PangoRectangle logical;
    pango_layout_iter_get_run_extents(iter, nullptr, &logical);
    const double baseline = static_cast<double>(pango_layout_iter_get_baseline(iter)) / PANGO_SCALE;
    PangoFont* font = run->item->analysis.font;
    const bool bitmap = is_bitmap_colour_font(font);
    const bool by_word = joins_letters(static_cast<PangoScript>(run->item->analysis.script));
    const PangoGlyphString* glyphs = run->glyphs;

    int x = logical.x;  // Pango units, left edge of glyph g
    int from = 0, from_x = x, key = -1;
    auto flush = [&](int to) {
      if (to <= from || key < 0) return;
      PangoGlyphStringPtr part = slice(glyphs, from, to);
      PangoRectangle ink;
      pango_glyph_string_extents(part.get(), font, &ink, nullptr);
      const double ox = static_cast<double>(from_x) / PANGO_SCALE;
      Building& b = by_key[key];
      if (b.first == 0)
        b.first = g_utf8_get_char(text + run->item->offset + glyphs->log_clusters[from]);
      b.ink = union_box(b.ink, Box{ox + static_cast<double>(ink.x) / PANGO_SCALE,
                                   baseline + static_cast<double>(ink.y) / PANGO_SCALE,
                                   static_cast<double>(ink.width) / PANGO_SCALE,
                                   static_cast<double>(ink.height) / PANGO_SCALE});
      if (bitmap) {
        b.bitmaps.push_back(
            {PangoFontPtr(PANGO_FONT(g_object_ref(font))), std::move(part), ox, baseline});
      } else {
        b.vector_runs.push_back({font, std::move(part), ox, baseline});
      }
    };
    for (int g = 0; g < glyphs->num_glyphs; ++g) {
      const int byte = run->item->offset + glyphs->log_clusters[g];
      int ch = static_cast<int>(g_utf8_pointer_to_offset(text, text + byte));
      if (by_word && ch < static_cast<int>(words.size())) ch = words[static_cast<std::size_t>(ch)];
      if (ch != key) {
        flush(g);
        from = g;
        from_x = x;
        key = ch;
      }
      x += glyphs->glyphs[g].geometry.width;
    }
    flush(glyphs->num_glyphs);
  } while (pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);

  std::vector<Unit> units;
  for (auto& [key, b] : by_key) {
    if (b.ink.width <= 0 || b.ink.height <= 0) continue;  // spaces
    Unit u;
    cairo_new_path(cr);
    for (const VectorPart& part : b.vector_runs) {
      cairo_move_to(cr, part.x, part.y);
      pango_cairo_glyph_string_path(cr, part.font, part.glyphs.get());
    }
    u.has_vector = !b.vector_runs.empty();
    u.first = b.first;
    u.path.reset(cairo_copy_path(cr));
    cairo_new_path(cr);
    u.bitmaps = std::move(b.bitmaps);
    u.ink = b.ink;
    u.cx = b.ink.x + b.ink.width / 2;
    u.cy = b.ink.y + b.ink.height / 2;
    units.push_back(std::move(u));
  }
  return units;
}

}  // namespace stickerd::render
