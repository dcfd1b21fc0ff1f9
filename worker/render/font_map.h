// The renderer's font map: pango over a private fontconfig configuration that
// holds the declared font set (styles/fonts.json) and nothing else installed
// on the host.
#pragma once

#include "common/error.h"
#include "common/font_set.h"
#include "common/picture/handles.h"

namespace stickerd::render {

// A PangoCairoFcFontMap whose fontconfig knows only `set`'s files
// (common/font_config.h). INVALID_ARGUMENT when a declared file yields no font.
Result<picture::PangoFontMapPtr> make_font_map(const FontSet& set);

}  // namespace stickerd::render
