// The font set as a private fontconfig configuration: the declared files and
// nothing else installed on the host. The renderer's font map uses it;
// `stickerctl fonts` lists what it holds and which scripts it covers.
#pragma once

#include <fontconfig/fontconfig.h>

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/font_set.h"

namespace stickerd {

struct FcConfigDeleter {
  void operator()(FcConfig* c) const { FcConfigDestroy(c); }
};
using FcConfigPtr = std::unique_ptr<FcConfig, FcConfigDeleter>;

// A configuration holding exactly `set`'s files. INVALID_ARGUMENT when a
// declared file yields no font.
Result<FcConfigPtr> make_font_config(const FontSet& set);

// One face of a file (a collection has several).
struct FontFace {
  std::string file;
  std::string family;  // the first (English) family name
  std::string style;
  std::vector<std::string> scripts;  // ISO 15924 codes of the scripts it has letters of, sorted
};

// The configuration's faces, in the order of `set`'s files.
std::vector<FontFace> list_faces(FcConfig* config, const FontSet& set);

}  // namespace stickerd
