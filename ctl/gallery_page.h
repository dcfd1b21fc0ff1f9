// The gallery's index.html: every entry side by side in a grid, each with its
// style, format, profile, size and render time. Self-contained (inline CSS)
// and relative links only, so the directory can be copied anywhere.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ctl/gallery_entry.h"

namespace stickerd::ctl {

std::string gallery_page(std::string_view text, const std::vector<GalleryEntry>& entries);

}  // namespace stickerd::ctl
