// PNG encoding of a cairo image surface (cairo unpremultiplies as it writes).
#pragma once

#include <string>

#include <cairo.h>

#include "common/error.h"

namespace stickerd::encode {

Result<std::string> encode_png(cairo_surface_t* surface);

}  // namespace stickerd::encode
