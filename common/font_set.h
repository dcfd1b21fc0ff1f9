// The font set: the font files stickerd declares (styles/fonts.json) and the
// fallback families tried after a style's own font. The renderer sees these
// fonts and no others, so a request gives the same pixels on every host with
// the same set, and the set's fingerprint is part of every cache key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"

namespace stickerd {

struct FontFile {
  std::string path;
  std::uint64_t size = 0;
  std::string version;  // the 'head' table's fontRevision, e.g. "2.037"; "" when unreadable
};

struct FontSet {
  std::vector<FontFile> files;        // in declaration order
  std::vector<std::string> fallback;  // families, in the order tried
  std::string emoji;                  // the family behind pango's generic "emoji" (colour emoji)
  std::string fingerprint;            // 16 hex digits over files (path, size, version) and fallback
};

// The file name in a styles directory.
inline constexpr const char* kFontSetFile = "fonts.json";

// Reads `styles_dir`/fonts.json and checks every declared file exists. An
// error names the file: a missing font is a broken installation (see
// scripts/install-deps), not something to paper over with host fonts.
Result<FontSet> load_font_set(const std::string& styles_dir);

// Parses the JSON text of a font set (no file access beyond stat and the
// version read); `origin` names it in errors.
Result<FontSet> parse_font_set(const std::string& json, const std::string& origin);

// The fontRevision of an sfnt file (TrueType, OpenType, the first face of a
// collection) as "major.minor"; "" when the file is not one.
std::string font_revision(const std::string& path);

}  // namespace stickerd
