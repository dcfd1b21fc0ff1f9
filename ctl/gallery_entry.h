// One (style, format) of a gallery: what was asked, what came back, where it went.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "stickerd.pb.h"

namespace stickerd::ctl {

struct GalleryEntry {
  std::string style_id;
  std::string style_name;
  v1::Format format = v1::FORMAT_UNSPECIFIED;
  v1::Profile profile = v1::PROFILE_UNSPECIFIED;
  std::string file;     // relative to the gallery directory; empty when the render failed
  std::string preview;  // TGS only: the animated WebP played back from the file
  std::size_t bytes = 0;
  std::uint32_t render_us = 0;  // 0: unknown (e.g. answered from the daemon's cache)
  std::uint32_t frame_count = 0;
  std::string error;  // why the render failed
};

}  // namespace stickerd::ctl
