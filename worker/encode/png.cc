// PNG encoding through cairo's own writer, into memory.
#include "worker/encode/png.h"

#include <fmt/format.h>

namespace stickerd::encode {
namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Result<std::string> encode_png(cairo_surface_t* surface) {
  std::string out;
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface, append, &out);
  if (status != CAIRO_STATUS_SUCCESS) {
    return make_error(v1::INTERNAL,
                      fmt::format("PNG encoding failed: {}", cairo_status_to_string(status)));
  }
  return out;
}

}  // namespace stickerd::encode
