// Shared test support for the renderer tests: the built-in styles and a WebP
// decoder that exposes the pixels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <glib.h>
#include <webp/decode.h>

#include "build_config.h"
#include "common/error.h"
#include "common/style_catalogue.h"

namespace stickerd::test {

// The error of a failed Result, "" for a value. For REQUIRE_MESSAGE: doctest
// also builds the message of a passing check (when run with -s), and calling
// error() on a value throws std::bad_variant_access.
template <typename T>
std::string error_text(const Result<T>& result) {
  return result.ok() ? std::string() : fmt::format("{}", result.error());
}

inline const StyleCatalogue& source_catalogue() {
  static const StyleCatalogue catalogue = [] {
    auto loaded = StyleCatalogue::load_dir(STICKERD_SOURCE_STYLES_DIR);
    REQUIRE_MESSAGE(loaded.ok(), error_text(loaded));
    return std::move(*loaded);
  }();
  return catalogue;
}

// The longest text the daemon accepts by default (--max-text-length: 256 code
// points), made of words so it wraps as a real message would.
inline std::string longest_allowed_text() {
  std::string text;
  while (g_utf8_strlen(text.c_str(), -1) < 300) text += "Съешь же ещё этих булок. ";
  const char* end = g_utf8_offset_to_pointer(text.c_str(), 256);
  text.resize(static_cast<std::size_t>(end - text.c_str()));
  return text;
}

inline const v1::StyleSpec& classic() { return *source_catalogue().find("classic"); }

// Straight RGBA pixels of a decoded WebP.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;

  const std::uint8_t* at(int x, int y) const {
    return &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
  }
  std::uint8_t alpha(int x, int y) const { return at(x, y)[3]; }

  // The bounding box of pixels with any alpha: {left, top, right, bottom}, inclusive.
  struct Bounds {
    int left, top, right, bottom;
  };
  Bounds ink_bounds() const {
    Bounds b{width, height, -1, -1};
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        if (alpha(x, y) == 0) continue;
        b.left = std::min(b.left, x);
        b.top = std::min(b.top, y);
        b.right = std::max(b.right, x);
        b.bottom = std::max(b.bottom, y);
      }
    }
    return b;
  }
};

inline Image decode_webp(const std::string& data) {
  Image img;
  std::uint8_t* pixels = WebPDecodeRGBA(reinterpret_cast<const std::uint8_t*>(data.data()),
                                        data.size(), &img.width, &img.height);
  REQUIRE_MESSAGE(pixels != nullptr, "WebPDecodeRGBA rejected the file");
  img.rgba.assign(pixels, pixels + static_cast<std::size_t>(img.width) * img.height * 4);
  WebPFree(pixels);
  return img;
}

}  // namespace stickerd::test
