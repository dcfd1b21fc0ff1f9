// A drawn canvas scaled down to a smaller output (Telegram's 100x100 custom
// emoji are drawn at 512 and scaled, so every style's geometry stays the one
// it was designed at).
#pragma once

#include <cairo.h>

namespace stickerd::render {

// Replaces `to`'s pixels with `from` scaled to `to`'s size. Both ARGB32
// image surfaces; cairo scales premultiplied pixels, which keeps edges free
// of dark fringes. `to` is flushed.
void downscale(cairo_surface_t* from, cairo_surface_t* to);

}  // namespace stickerd::render
