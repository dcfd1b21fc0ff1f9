// A contact sheet: one picture per style in a labelled grid, written as one
// small PNG (the README's gallery picture).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/picture/handles.h"

namespace stickerd::ctl {

struct SheetTile {
  std::string label;
  picture::CairoSurfacePtr picture;
};

// How the tiles are laid out: the gallery's four columns of 192 px by default;
// a sheet of many pictures (the scripts) uses more, smaller ones.
struct SheetLayout {
  int columns = 4;
  int tile_px = 192;
};

// Writes `tiles` in rows of up to `layout.columns`, each scaled to
// `layout.tile_px` over a light background (so white text and transparency
// both show), to the PNG `path`.
std::optional<Error> write_contact_sheet(const std::vector<SheetTile>& tiles,
                                         const std::string& path, const SheetLayout& layout = {});

}  // namespace stickerd::ctl
