// The style catalogue: every styles/*.json file parsed into a StyleSpec and
// validated, shared by the master (admission, listing) and the workers
// (rendering), so both agree on what exists.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/font_set.h"
#include "style.pb.h"

namespace stickerd {

class StyleCatalogue {
 public:
  // Loads every *.json in `dir` but fonts.json, which (when present) is the
  // font set: its fingerprint goes into every config_id. An error names the
  // file and the field.
  static Result<StyleCatalogue> load_dir(const std::string& dir);
  // Parses one style from JSON text; `origin` names it in errors.
  static Result<v1::StyleSpec> parse_style(const std::string& json, const std::string& origin);

  const v1::StyleSpec* find(const std::string& id) const;
  // "classic" when present, else the first style by id.
  const std::string& default_style_id() const { return default_id_; }
  // Sorted by id.
  const std::vector<v1::StyleSpec>& styles() const { return styles_; }
  // Stable hash of the style's canonical form and the font set's fingerprint
  // (hex), for caches across restarts and hosts.
  const std::string& config_id(const std::string& id) const;
  // The directory's fonts.json; an empty FontSet (no files) when it has none.
  const FontSet& font_set() const { return font_set_; }

  static bool supports(const v1::StyleSpec& style, v1::Format format);

 private:
  std::vector<v1::StyleSpec> styles_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> config_ids_;
  std::string default_id_;
  FontSet font_set_;
};

// The styles directory: STICKERD_STYLES_DIR, else the installed catalogue,
// else the source tree's styles/ (a development build).
std::string default_styles_dir();

// Hex SHA-256 of the deterministic serialisation of `style` and of
// `font_fingerprint` (when not empty), first 16 digits.
std::string compute_config_id(const v1::StyleSpec& style, std::string_view font_fingerprint = {});

}  // namespace stickerd
