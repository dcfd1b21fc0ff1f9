// Cairo drawing of one fitted layout.
//
// Outlines and the shadow are masks of the text's silhouette (silhouette.h),
// painted widest first. The fill is drawn with pango_cairo_show_layout so that
// colour (bitmap) emoji glyphs keep their own colours, while ordinary glyphs
// take the gradient as their source.
#include "worker/render/draw.h"

#include <algorithm>
#include <vector>

#include <pango/pangocairo.h>

#include "worker/render/colour.h"
#include "worker/render/handles.h"
#include "worker/render/silhouette.h"

namespace stickerd::render {
namespace {

void set_source(cairo_t* cr, const std::string& colour) {
  // The catalogue validated every colour; black is only a safe fallback.
  const Rgba c = parse_colour(colour).value_or(Rgba{});
  cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

CairoPatternPtr make_fill(const v1::Fill& fill, const Box& ink) {
  if (fill.kind_case() != v1::Fill::kVerticalGradient) {
    const Rgba c = parse_colour(fill.solid()).value_or(Rgba{});
    return CairoPatternPtr(cairo_pattern_create_rgba(c.r, c.g, c.b, c.a));
  }
  // The gradient spans the glyph ink, top to bottom, whatever the line count.
  CairoPatternPtr pattern(cairo_pattern_create_linear(0, ink.y, 0, ink.y + ink.height));
  const auto& colours = fill.vertical_gradient().colors();
  const int n = colours.size();
  for (int i = 0; i < n; ++i) {
    const Rgba c = parse_colour(colours[i]).value_or(Rgba{});
    const double offset = n > 1 ? static_cast<double>(i) / (n - 1) : 0.0;
    cairo_pattern_add_color_stop_rgba(pattern.get(), offset, c.r, c.g, c.b, c.a);
  }
  return pattern;
}

void paint_mask(cairo_t* cr, const std::string& colour, cairo_pattern_t* mask) {
  set_source(cr, colour);
  cairo_mask(cr, mask);
}

}  // namespace

double outline_outset(const v1::StyleSpec& style) {
  double widest = 0;
  for (const auto& o : style.outlines()) widest = std::max(widest, o.width());
  return widest / 2;
}

void draw_sticker(cairo_t* cr, const FittedLayout& fitted, const v1::StyleSpec& style, double canvas_px) {
  PangoLayout* layout = fitted.layout.get();
  const Box& e = fitted.extent;
  // Centre the grown extent (glyphs + outline + shadow), not the logical box,
  // so the visible drawing sits in the middle.
  cairo_translate(cr, canvas_px / 2, canvas_px / 2);
  cairo_scale(cr, fitted.scale, fitted.scale);
  cairo_translate(cr, -(e.x + e.width / 2), -(e.y + e.height / 2));

  // Round joins and caps: thick outlines must not grow spikes at sharp corners.
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  const Silhouette silhouette(cr, layout);

  if (style.has_shadow()) {
    // The shadow is the whole outlined shape, offset: a fill-only shadow would
    // hide under the outline.
    CairoPatternPtr shape = silhouette.mask(cr, outline_outset(style));
    cairo_save(cr);
    cairo_translate(cr, style.shadow().dx(), style.shadow().dy());
    paint_mask(cr, style.shadow().color(), shape.get());
    cairo_restore(cr);
  }

  std::vector<const v1::Stroke*> outlines;
  for (const auto& o : style.outlines()) outlines.push_back(&o);
  std::stable_sort(outlines.begin(), outlines.end(),
                   [](const v1::Stroke* a, const v1::Stroke* b) { return a->width() > b->width(); });
  for (const v1::Stroke* o : outlines) {
    CairoPatternPtr shape = silhouette.mask(cr, o->width() / 2);
    paint_mask(cr, o->color(), shape.get());
  }

  CairoPatternPtr fill = make_fill(style.fill(), fitted.ink);
  cairo_set_source(cr, fill.get());
  cairo_move_to(cr, 0, 0);
  pango_cairo_show_layout(cr, layout);
}

}  // namespace stickerd::render
