// A contact sheet: one picture per style in a labelled grid, written as one
// small PNG (the README's gallery picture).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "worker/render/handles.h"

namespace stickerd::ctl {

struct SheetTile {
  std::string label;
  render::CairoSurfacePtr picture;
};

// Writes `tiles` in rows of up to four, each scaled to 192 px over a light
// background (so white text and transparency both show), to the PNG `path`.
std::optional<Error> write_contact_sheet(const std::vector<SheetTile>& tiles, const std::string& path);

}  // namespace stickerd::ctl
