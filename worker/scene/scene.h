// A fitted text ready to draw or export: its units, and where layout
// coordinates land on the canvas. Shared by the raster drawer and the TGS
// writer so both place every unit identically.
#pragma once

#include <vector>

#include <cairo.h>

#include "style.pb.h"
#include "worker/scene/animation.h"
#include "worker/scene/layout.h"
#include "worker/scene/units.h"

namespace stickerd::render {

struct Scene {
  FittedLayout fitted;
  std::vector<Unit> units;
  double canvas = 512;
  double scale = 1;         // layout px to canvas px
  double ecx = 0, ecy = 0;  // the point of the layout that lands on the canvas centre
};

// How far the effects reach past the glyph ink on every side (outline,
// glow, bubble), and how far the offset ones reach (shadow, extrusion).
double effect_outset(const v1::StyleSpec& style);
void effect_offset(const v1::StyleSpec& style, double& dx, double& dy);

// Layout coordinates to canvas coordinates for `unit` posed by `pose` inside
// the whole text posed by `whole`. `unit` null: the whole text only.
cairo_matrix_t place(const Scene& scene, const Pose& whole, const Unit* unit, const Pose* pose);

// Scales the scene down (about the canvas centre) until every frame's drawing,
// effects included, stays `padding` px inside the canvas.
void fit_frames(Scene& scene, const v1::StyleSpec& style, const std::vector<FrameLook>& looks,
                double padding);

}  // namespace stickerd::render
