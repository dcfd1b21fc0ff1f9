// The style catalogue: JSON files to validated StyleSpecs.
#include "common/style_catalogue.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <glib.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include "build_config.h"

namespace stickerd {
namespace {

namespace fs = std::filesystem;

bool valid_colour(const std::string& c) {
  if (c.size() != 7 && c.size() != 9) return false;
  if (c[0] != '#') return false;
  return std::all_of(c.begin() + 1, c.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
}

// Field-level checks protobuf's parser cannot make. Returns the offending
// field's JSON path and why, or an empty string when the style is valid.
std::string validate(const v1::StyleSpec& s) {
  auto bad_colour = [](const std::string& field, const std::string& value) {
    return fmt::format("{}: \"{}\" is not a colour (#RRGGBB or #RRGGBBAA)", field, value);
  };
  if (s.id().empty()) return "id: missing";
  for (char c : s.id()) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return fmt::format("id: \"{}\" must be lower-case letters, digits and '-'", s.id());
    }
  }
  if (s.formats().empty()) return "formats: at least one format is required";
  for (int f : s.formats()) {
    if (f == v1::FORMAT_UNSPECIFIED || !v1::Format_IsValid(f)) return "formats: unknown format";
  }
  if (s.max_lines() > 10) return "maxLines: at most 10";
  if (s.padding() < 0 || s.padding() > 200) return "padding: must be within 0..200";
  if (s.webp_quality() > 100) return "webpQuality: must be within 0..100";
  switch (s.fill().kind_case()) {
    case v1::Fill::kSolid:
      if (!valid_colour(s.fill().solid())) return bad_colour("fill.solid", s.fill().solid());
      break;
    case v1::Fill::kVerticalGradient:
      if (s.fill().vertical_gradient().colors_size() < 2) {
        return "fill.verticalGradient.colors: at least two colours";
      }
      for (const auto& c : s.fill().vertical_gradient().colors()) {
        if (!valid_colour(c)) return bad_colour("fill.verticalGradient.colors", c);
      }
      break;
    case v1::Fill::KIND_NOT_SET:
      return "fill: missing (solid or verticalGradient)";
  }
  for (int i = 0; i < s.outlines_size(); ++i) {
    const auto& o = s.outlines(i);
    if (!valid_colour(o.color())) return bad_colour(fmt::format("outlines[{}].color", i), o.color());
    if (o.width() <= 0 || o.width() > 64) return fmt::format("outlines[{}].width: must be within (0, 64]", i);
  }
  if (s.has_shadow()) {
    if (!valid_colour(s.shadow().color())) return bad_colour("shadow.color", s.shadow().color());
    // The renderer keeps the shadow inside the canvas; a far offset would
    // leave no room for the text itself.
    if (std::abs(s.shadow().dx()) > 64) return "shadow.dx: must be within -64..64";
    if (std::abs(s.shadow().dy()) > 64) return "shadow.dy: must be within -64..64";
  }
  return {};
}

}  // namespace

std::string compute_config_id(const v1::StyleSpec& style) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    style.SerializeToCodedStream(&coded);
  }
  gchar* hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                           reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string id(hex, 16);
  g_free(hex);
  return id;
}

Result<v1::StyleSpec> StyleCatalogue::parse_style(const std::string& json, const std::string& origin) {
  v1::StyleSpec spec;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo in a field name is an error, not a silent default
  const auto status = google::protobuf::util::JsonStringToMessage(json, &spec, options);
  if (!status.ok()) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("{}: {}", origin, std::string(status.message())));
  }
  if (std::string why = validate(spec); !why.empty()) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("{}: {}", origin, why));
  }
  return spec;
}

Result<StyleCatalogue> StyleCatalogue::load_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("styles directory {} does not exist", dir));
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  StyleCatalogue cat;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return make_error(v1::INVALID_ARGUMENT, fmt::format("{}: cannot read", path.string()));
    auto spec = parse_style(text.str(), path.string());
    if (!spec) return spec.error();
    if (cat.index_.count(spec->id())) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("{}: id: \"{}\" is defined twice", path.string(), spec->id()));
    }
    cat.config_ids_[spec->id()] = compute_config_id(*spec);
    cat.index_[spec->id()] = cat.styles_.size();
    cat.styles_.push_back(std::move(*spec));
  }
  if (cat.styles_.empty()) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("styles directory {} holds no *.json style", dir));
  }
  std::sort(cat.styles_.begin(), cat.styles_.end(),
            [](const auto& a, const auto& b) { return a.id() < b.id(); });
  for (std::size_t i = 0; i < cat.styles_.size(); ++i) cat.index_[cat.styles_[i].id()] = i;
  cat.default_id_ = cat.index_.count("classic") ? std::string("classic") : cat.styles_.front().id();
  return cat;
}

const v1::StyleSpec* StyleCatalogue::find(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &styles_[it->second];
}

const std::string& StyleCatalogue::config_id(const std::string& id) const {
  static const std::string none;
  auto it = config_ids_.find(id);
  return it == config_ids_.end() ? none : it->second;
}

v1::Format StyleCatalogue::default_format(const v1::StyleSpec& style) {
  return style.formats().empty() ? v1::FORMAT_WEBP : static_cast<v1::Format>(style.formats(0));
}

bool StyleCatalogue::supports(const v1::StyleSpec& style, v1::Format format) {
  return std::find(style.formats().begin(), style.formats().end(), format) != style.formats().end();
}

std::string default_styles_dir() {
  if (const char* env = std::getenv("STICKERD_STYLES_DIR"); env && *env) return env;
  std::error_code ec;
  if (fs::is_directory(STICKERD_STYLES_DIR, ec)) return STICKERD_STYLES_DIR;
  return STICKERD_SOURCE_STYLES_DIR;
}

}  // namespace stickerd
