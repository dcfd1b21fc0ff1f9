#include "worker/render/downscale.h"

#include "common/picture/handles.h"

namespace stickerd::render {

void downscale(cairo_surface_t* from, cairo_surface_t* to) {
  cairo_surface_flush(from);
  picture::CairoPtr cr(cairo_create(to));
  const double sx =
      static_cast<double>(cairo_image_surface_get_width(to)) / cairo_image_surface_get_width(from);
  const double sy = static_cast<double>(cairo_image_surface_get_height(to)) /
                    cairo_image_surface_get_height(from);
  cairo_scale(cr.get(), sx, sy);
  cairo_set_source_surface(cr.get(), from, 0, 0);
  // GOOD averages every source pixel under an output pixel when shrinking
  // (cairo >= 1.14); SOURCE replaces the last frame's pixels.
  cairo_pattern_set_filter(cairo_get_source(cr.get()), CAIRO_FILTER_GOOD);
  cairo_set_operator(cr.get(), CAIRO_OPERATOR_SOURCE);
  cairo_paint(cr.get());
  cairo_surface_flush(to);
}

}  // namespace stickerd::render
