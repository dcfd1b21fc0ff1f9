// Cairo drawing of one frame.
//
// Each effect is a layer: the units' shapes, grown by a radius, drawn into one
// alpha group and painted once with the layer's colour, so a translucent
// outline is not darkened where neighbouring units overlap; layers that grow
// by the same radius share that group, moved. Vector glyphs grow
// by stroking their path; colour bitmap glyphs (emoji) grow by stamping their
// alpha mask around a circle, because their traced path is a mesh of pixel
// squares that takes seconds to stroke. The fill is drawn last, unit by unit,
// with pango so that emoji keep their own colours.
#include "worker/render/draw.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <pango/pangocairo.h>

#include "common/picture/handles.h"
#include "worker/scene/colour.h"

namespace stickerd::render {
namespace {

Rgba colour_of(const std::string& text) {
  // The catalogue validated every colour; black is only a safe fallback.
  return parse_colour(text).value_or(Rgba{});
}

picture::CairoPatternPtr make_fill(const v1::Fill& fill, const Box& ink) {
  if (fill.kind_case() != v1::Fill::kVerticalGradient) {
    const Rgba c = colour_of(fill.solid());
    return picture::CairoPatternPtr(cairo_pattern_create_rgba(c.r, c.g, c.b, c.a));
  }
  // The gradient spans the text's ink, top to bottom, whatever the line count.
  picture::CairoPatternPtr pattern(cairo_pattern_create_linear(0, ink.y, 0, ink.y + ink.height));
  const auto& colours = fill.vertical_gradient().colors();
  const int n = colours.size();
  for (int i = 0; i < n; ++i) {
    const Rgba c = colour_of(colours[i]);
    const double offset = n > 1 ? static_cast<double>(i) / (n - 1) : 0.0;
    cairo_pattern_add_color_stop_rgba(pattern.get(), offset, c.r, c.g, c.b, c.a);
  }
  return pattern;
}

void show_bitmaps(cairo_t* cr, const Unit& unit) {
  for (const BitmapGlyphs& b : unit.bitmaps) {
    cairo_move_to(cr, b.x, b.y);
    pango_cairo_show_glyph_string(cr, b.font.get(), b.glyphs.get());
  }
}

// The unit's shape grown by `radius`, in alpha, at the current matrix.
void grown_shape(cairo_t* cr, const Unit& unit, double radius, double alpha) {
  cairo_set_source_rgba(cr, 0, 0, 0, alpha);
  if (unit.has_vector) {
    cairo_new_path(cr);
    cairo_append_path(cr, unit.path.get());
    if (radius > 0) {
      cairo_set_line_width(cr, 2 * radius);
      cairo_stroke_preserve(cr);
    }
    cairo_fill(cr);
  }
  if (unit.bitmaps.empty()) return;
  // Groups as small as the emoji (grown by the radius) keep every stamped
  // copy cheap: unclipped, each copy would composite the whole canvas.
  cairo_save(cr);
  cairo_rectangle(cr, unit.ink.x - radius - 1, unit.ink.y - radius - 1,
                  unit.ink.width + 2 * radius + 2, unit.ink.height + 2 * radius + 2);
  cairo_clip(cr);
  cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
  show_bitmaps(cr, unit);
  picture::CairoPatternPtr glyphs(cairo_pop_group(cr));
  cairo_set_source_rgba(cr, 0, 0, 0, alpha);
  cairo_mask(cr, glyphs.get());
  const int copies =
      radius > 0 ? std::max(8, static_cast<int>(std::ceil(std::numbers::pi * radius))) : 0;
  for (int i = 0; i < copies; ++i) {
    const double angle = 2 * std::numbers::pi * i / copies;
    cairo_save(cr);
    cairo_translate(cr, radius * std::cos(angle), radius * std::sin(angle));
    cairo_mask(cr, glyphs.get());
    cairo_restore(cr);
  }
  cairo_restore(cr);
}

// Every unit's shape grown by `radius`, as one alpha group at offset 0. The
// effect layers of a frame that grow by the same radius (the shadow and the
// outline, each extrusion step, the glitch copies) differ only in offset and
// colour, so each mask is drawn once per frame and painted moved: stroking the
// grown text is the costly part of a layer.
class LayerMasks {
 public:
  LayerMasks(const Scene& scene, const FrameLook& look) : scene_(scene), look_(look) {}

  cairo_pattern_t* grown(cairo_t* cr, double radius) {
    for (auto& [r, mask] : masks_) {
      if (r == radius) return mask.get();
    }
    cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
    for (std::size_t k = 0; k < scene_.units.size(); ++k) {
      const double alpha = look_.units[k].opacity;
      if (alpha <= 0) continue;
      cairo_save(cr);
      const cairo_matrix_t m = place(scene_, look_.whole, &scene_.units[k], &look_.units[k]);
      cairo_set_matrix(cr, &m);
      grown_shape(cr, scene_.units[k], radius, alpha);
      cairo_restore(cr);
    }
    masks_.emplace_back(radius, picture::CairoPatternPtr(cairo_pop_group(cr)));
    return masks_.back().second.get();
  }

 private:
  const Scene& scene_;
  const FrameLook& look_;
  std::vector<std::pair<double, picture::CairoPatternPtr>> masks_;
};

// One effect layer: every unit's shape grown by `radius`, moved by (ox, oy)
// layout px, painted in `colour` at `opacity`.
void paint_layer(cairo_t* cr, LayerMasks& masks, const Scene& scene, const FrameLook& look,
                 double radius, const Rgba& colour, double opacity, double ox = 0, double oy = 0) {
  cairo_pattern_t* mask = masks.grown(cr, radius);
  // An offset in layout px moves every unit alike, before its own pose, so it
  // is one device-space move for the whole layer; whole pixels keep the mask
  // sharp (a fractional move would resample it) and differ from drawing at the
  // exact offset by under half a pixel.
  const cairo_matrix_t whole = place(scene, look.whole, nullptr, nullptr);
  double dx = ox, dy = oy;
  cairo_matrix_transform_distance(&whole, &dx, &dy);
  cairo_matrix_t moved;
  cairo_matrix_init_translate(&moved, -std::round(dx), -std::round(dy));
  cairo_pattern_set_matrix(mask, &moved);
  cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, colour.a * opacity * look.whole.opacity);
  cairo_mask(cr, mask);
}

void paint_bubble(cairo_t* cr, const Scene& scene, const v1::StyleSpec& style,
                  const FrameLook& look) {
  const auto& b = style.bubble();
  const Box& ink = scene.fitted.ink;
  const double m = b.margin();
  const double x = ink.x - m, y = ink.y - m, w = ink.width + 2 * m, h = ink.height + 2 * m;
  const double r = std::min({b.radius(), w / 2, h / 2});
  cairo_save(cr);
  const cairo_matrix_t mat = place(scene, look.whole, nullptr, nullptr);
  cairo_set_matrix(cr, &mat);
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -std::numbers::pi / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, std::numbers::pi / 2);
  cairo_arc(cr, x + r, y + h - r, r, std::numbers::pi / 2, std::numbers::pi);
  cairo_arc(cr, x + r, y + r, r, std::numbers::pi, 3 * std::numbers::pi / 2);
  cairo_close_path(cr);
  const Rgba c = colour_of(b.color());
  cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * look.whole.opacity);
  if (b.has_outline() && b.outline().width() > 0) {
    cairo_fill_preserve(cr);
    const Rgba o = colour_of(b.outline().color());
    cairo_set_source_rgba(cr, o.r, o.g, o.b, o.a * look.whole.opacity);
    cairo_set_line_width(cr, b.outline().width());
    cairo_stroke(cr);
  } else {
    cairo_fill(cr);
  }
  cairo_restore(cr);
}

void paint_fill(cairo_t* cr, const Scene& scene, const v1::StyleSpec& style,
                const FrameLook& look) {
  picture::CairoPatternPtr fill = make_fill(style.fill(), scene.fitted.ink);
  for (std::size_t k = 0; k < scene.units.size(); ++k) {
    const Pose& pose = look.units[k];
    const double alpha = pose.opacity * look.whole.opacity;
    if (alpha <= 0) continue;
    const Unit& unit = scene.units[k];
    cairo_save(cr);
    const cairo_matrix_t m = place(scene, look.whole, &unit, &pose);
    cairo_set_matrix(cr, &m);
    if (alpha < 1) cairo_push_group(cr);
    // Set after the unit's matrix, so a gradient travels with its unit.
    if (pose.colour) {
      cairo_set_source_rgba(cr, pose.colour->r, pose.colour->g, pose.colour->b, pose.colour->a);
    } else {
      cairo_set_source(cr, fill.get());
    }
    if (unit.has_vector) {
      cairo_new_path(cr);
      cairo_append_path(cr, unit.path.get());
      cairo_fill(cr);
    }
    show_bitmaps(cr, unit);
    if (alpha < 1) {
      cairo_pop_group_to_source(cr);
      cairo_paint_with_alpha(cr, alpha);
    }
    cairo_restore(cr);
  }
}

}  // namespace

void draw_frame(cairo_t* cr, const Scene& scene, const v1::StyleSpec& style,
                const FrameLook& look) {
  // Round joins and caps: thick outlines must not grow spikes at sharp corners.
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  double outline = 0;
  for (const auto& o : style.outlines()) outline = std::max(outline, o.width() / 2);
  LayerMasks masks(scene, look);

  if (style.has_bubble()) paint_bubble(cr, scene, style, look);
  if (style.has_shadow()) {
    // The whole outlined shape, offset: a fill-only shadow would hide under the outline.
    paint_layer(cr, masks, scene, look, outline, colour_of(style.shadow().color()), 1,
                style.shadow().dx(), style.shadow().dy());
  }
  if (style.has_extrude()) {
    const auto& e = style.extrude();
    const int steps = static_cast<int>(e.steps() ? e.steps() : 6);
    const Rgba base = colour_of(e.color());
    for (int j = steps; j >= 1; --j) {  // back to front, darker towards the back
      const double f = 1 - 0.45 * j / steps;
      const Rgba c{base.r * f, base.g * f, base.b * f, base.a};
      paint_layer(cr, masks, scene, look, outline, c, 1, e.dx() * j / steps, e.dy() * j / steps);
    }
  }
  if (style.has_glow()) {
    const Rgba c = colour_of(style.glow().color());
    for (int i = 3; i >= 1; --i) {
      paint_layer(cr, masks, scene, look, outline + style.glow().radius() * i / 3, c,
                  0.3 * look.glow_opacity);
    }
  }
  std::vector<const v1::Stroke*> outlines;
  for (const auto& o : style.outlines()) outlines.push_back(&o);
  std::stable_sort(outlines.begin(), outlines.end(), [](const v1::Stroke* a, const v1::Stroke* b) {
    return a->width() > b->width();
  });
  for (const v1::Stroke* o : outlines)
    paint_layer(cr, masks, scene, look, o->width() / 2, colour_of(o->color()), 1);
  if (look.glitch_dx != 0) {
    paint_layer(cr, masks, scene, look, 0, Rgba{1, 0.1, 0.3, 1}, 0.85, -look.glitch_dx, 0);
    paint_layer(cr, masks, scene, look, 0, Rgba{0.1, 0.9, 1, 1}, 0.85, look.glitch_dx, 0);
  }
  paint_fill(cr, scene, style, look);
}

}  // namespace stickerd::render
