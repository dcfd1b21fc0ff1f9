// A cairo image surface from PNG bytes in memory (cairo reads PNG only from a
// file or a stream callback). Used by stickerctl's previews and the golden tests.
#pragma once

#include <cstring>
#include <string_view>

#include "common/picture/handles.h"

namespace stickerd::picture {

// The surface, or one in an error status when `bytes` is not a PNG
// (check cairo_surface_status).
inline CairoSurfacePtr png_surface(std::string_view bytes) {
  struct Source {
    std::string_view bytes;
    std::size_t offset = 0;
  } source{bytes};
  const auto read = [](void* closure, unsigned char* data, unsigned int length) {
    auto* src = static_cast<Source*>(closure);
    if (src->bytes.size() - src->offset < length) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(data, src->bytes.data() + src->offset, length);
    src->offset += length;
    return CAIRO_STATUS_SUCCESS;
  };
  return CairoSurfacePtr(cairo_image_surface_create_from_png_stream(read, &source));
}

}  // namespace stickerd::picture
