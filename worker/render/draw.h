// Cairo drawing of one fitted layout: shadow, outlines (widest first), fill.
#pragma once

#include <cairo.h>

#include "style.pb.h"
#include "worker/render/layout.h"

namespace stickerd::render {

// Draws `fitted` centred on a `canvas_px` square target, which must be clear.
void draw_sticker(cairo_t* cr, const FittedLayout& fitted, const v1::StyleSpec& style, double canvas_px);

// Half the widest outline: how far the drawing reaches past the glyph ink.
double outline_outset(const v1::StyleSpec& style);

}  // namespace stickerd::render
