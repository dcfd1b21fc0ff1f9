// Cairo drawing of one frame of a scene: bubble, shadow, extrusion, glow,
// outlines (widest first), glitch copies, fill.
#pragma once

#include <cairo.h>

#include "style.pb.h"
#include "worker/scene/animation.h"
#include "worker/scene/scene.h"

namespace stickerd::render {

// Draws frame `look` of `scene` onto `cr`, whose target must be clear and whose
// matrix must be the identity.
void draw_frame(cairo_t* cr, const Scene& scene, const v1::StyleSpec& style, const FrameLook& look);

}  // namespace stickerd::render
