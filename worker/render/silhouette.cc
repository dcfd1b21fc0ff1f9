// The text's silhouette: vector path plus dilated bitmap-glyph masks.
//
// Dilation of a bitmap mask is the union of copies of it shifted around a
// circle of the radius, one copy per ~2 px of circumference, plus the mask
// itself: a round outline without tracing pixels. Everything is drawn into one
// alpha group and painted once by the caller, so a translucent outline colour
// is not darkened where copies or strokes overlap.
#include "worker/render/silhouette.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <hb-ot.h>

namespace stickerd::render {
namespace {

// CBDT/sbix fonts carry PNG glyphs: cairo 1.16 draws them in colour, and they
// have no vector outline.
bool is_bitmap_colour_font(PangoFont* font) {
  hb_font_t* hb = pango_font_get_hb_font(font);
  return hb && hb_ot_color_has_png(hb_font_get_face(hb));
}

void union_rect(PangoRectangle& acc, const PangoRectangle& r) {
  if (r.width <= 0 || r.height <= 0) return;
  if (acc.width <= 0 || acc.height <= 0) {
    acc = r;
    return;
  }
  const int x1 = std::max(acc.x + acc.width, r.x + r.width);
  const int y1 = std::max(acc.y + acc.height, r.y + r.height);
  acc.x = std::min(acc.x, r.x);
  acc.y = std::min(acc.y, r.y);
  acc.width = x1 - acc.x;
  acc.height = y1 - acc.y;
}

}  // namespace

Silhouette::Silhouette(cairo_t* cr, PangoLayout* layout) {
  cairo_new_path(cr);
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoGlyphItem* run = pango_layout_iter_get_run_readonly(iter);
    if (!run) continue;  // the end of a line
    PangoRectangle ink, logical;
    pango_layout_iter_get_run_extents(iter, &ink, &logical);
    const double x = static_cast<double>(logical.x) / PANGO_SCALE;
    const double y = static_cast<double>(pango_layout_iter_get_baseline(iter)) / PANGO_SCALE;
    PangoFont* font = run->item->analysis.font;
    if (is_bitmap_colour_font(font)) {
      bitmap_runs_.push_back({font, run->glyphs, x, y});
      union_rect(bitmap_ink_, ink);
    } else {
      cairo_move_to(cr, x, y);
      pango_cairo_glyph_string_path(cr, font, run->glyphs);
    }
  } while (pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);
  path_.reset(cairo_copy_path(cr));
  cairo_new_path(cr);
}

void Silhouette::show_bitmap_runs(cairo_t* cr) const {
  for (const BitmapRun& run : bitmap_runs_) {
    cairo_move_to(cr, run.x, run.y);
    pango_cairo_show_glyph_string(cr, run.font, run.glyphs);
  }
}

CairoPatternPtr Silhouette::mask(cairo_t* cr, double radius) const {
  cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
  cairo_set_source_rgba(cr, 0, 0, 0, 1);
  cairo_new_path(cr);
  cairo_append_path(cr, path_.get());
  if (radius > 0) {
    cairo_set_line_width(cr, 2 * radius);
    cairo_stroke_preserve(cr);
  }
  cairo_fill(cr);

  if (!bitmap_runs_.empty()) {
    cairo_save(cr);
    // A group as small as the emoji keeps each shifted copy cheap.
    cairo_rectangle(cr, static_cast<double>(bitmap_ink_.x) / PANGO_SCALE,
                    static_cast<double>(bitmap_ink_.y) / PANGO_SCALE,
                    static_cast<double>(bitmap_ink_.width) / PANGO_SCALE,
                    static_cast<double>(bitmap_ink_.height) / PANGO_SCALE);
    cairo_clip(cr);
    cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
    show_bitmap_runs(cr);
    CairoPatternPtr glyphs(cairo_pop_group(cr));
    cairo_reset_clip(cr);
    cairo_mask(cr, glyphs.get());
    const int copies = radius > 0 ? std::max(8, static_cast<int>(std::ceil(std::numbers::pi * radius))) : 0;
    for (int i = 0; i < copies; ++i) {
      const double angle = 2 * std::numbers::pi * i / copies;
      cairo_save(cr);
      // Whole-pixel shifts let pixman copy instead of resampling the mask.
      cairo_translate(cr, std::round(radius * std::cos(angle)), std::round(radius * std::sin(angle)));
      cairo_mask(cr, glyphs.get());
      cairo_restore(cr);
    }
    cairo_restore(cr);
  }
  return CairoPatternPtr(cairo_pop_group(cr));
}

}  // namespace stickerd::render
