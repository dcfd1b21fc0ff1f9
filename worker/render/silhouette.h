// The text's silhouette: the shape that outlines and shadows follow, grown by
// a radius. Outline glyphs contribute their vector path; colour bitmap glyphs
// (emoji) contribute their alpha mask, dilated, because their traced path is a
// mesh of pixel squares that takes seconds to stroke.
#pragma once

#include <vector>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "worker/render/handles.h"

namespace stickerd::render {

class Silhouette {
 public:
  // Collects the glyphs of `layout` placed at the user-space origin of `cr`.
  // `layout` must outlive the Silhouette.
  Silhouette(cairo_t* cr, PangoLayout* layout);

  // An alpha mask, in the user space current at construction, of the glyphs
  // grown by `radius` on every side (round corners), for cairo_mask().
  CairoPatternPtr mask(cairo_t* cr, double radius) const;

 private:
  struct BitmapRun {
    PangoFont* font;
    PangoGlyphString* glyphs;
    double x, y;  // baseline origin
  };

  void show_bitmap_runs(cairo_t* cr) const;

  CairoPathPtr path_;  // vector glyphs only
  std::vector<BitmapRun> bitmap_runs_;
  PangoRectangle bitmap_ink_{};  // union of the bitmap runs' ink, layout coordinates
};

}  // namespace stickerd::render
