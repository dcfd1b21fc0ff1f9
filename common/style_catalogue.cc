// The style catalogue: JSON files to validated StyleSpecs.
#include "common/style_catalogue.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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
  return std::all_of(c.begin() + 1, c.end(),
                     [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
}

bool declares(const v1::StyleSpec& s, v1::Format f) {
  return std::find(s.formats().begin(), s.formats().end(), f) != s.formats().end();
}

// The animation and the effects. Limits keep every declared format inside its
// platform's rules (TGS: 3 s; WhatsApp: 10 s, frames >= 8 ms), so a style
// cannot promise a file the renderer could never produce.
std::string validate_effects(const v1::StyleSpec& s) {
  auto bad_colour = [](const std::string& field, const std::string& value) {
    return fmt::format("{}: \"{}\" is not a colour (#RRGGBB or #RRGGBBAA)", field, value);
  };
  const bool animated = s.has_animation() && s.animation().type() != v1::ANIMATION_NONE;
  for (auto format : {v1::FORMAT_WEBP_ANIMATED, v1::FORMAT_WEBM}) {
    if (declares(s, format) && !animated)
      return fmt::format("animation.type: required by format {}", v1::Format_Name(format));
  }
  if (s.has_animation()) {
    const auto& a = s.animation();
    if (!v1::AnimationType_IsValid(a.type())) return "animation.type: unknown animation";
    const std::uint32_t frames = a.frames() ? a.frames() : 30;
    const std::uint32_t frame_ms = a.frame_ms() ? a.frame_ms() : 100;
    if (frames < 2 || frames > 120) return "animation.frames: must be within 2..120";
    if (frame_ms < 20 || frame_ms > 1000) return "animation.frameMs: must be within 20..1000";
    const std::uint32_t loop_ms = frames * frame_ms;
    for (auto format : {v1::FORMAT_TGS, v1::FORMAT_WEBM}) {
      if (declares(s, format) && loop_ms > 3000) {
        return fmt::format("animation: frames x frameMs is {} ms, over the 3000 ms a {} may last",
                           loop_ms, v1::Format_Name(format).substr(std::size("FORMAT_") - 1));
      }
    }
    if (loop_ms > 10000) {
      return fmt::format("animation: frames x frameMs is {} ms, over the 10000 ms WhatsApp allows",
                         loop_ms);
    }
    if (a.amplitude() < 0 || a.amplitude() > 90) return "animation.amplitude: must be within 0..90";
    if (a.phase_step() < 0 || a.phase_step() > 1) return "animation.phaseStep: must be within 0..1";
    for (int i = 0; i < a.colors_size(); ++i) {
      if (!valid_colour(a.colors(i)))
        return bad_colour(fmt::format("animation.colors[{}]", i), a.colors(i));
    }
    if (a.type() == v1::ANIMATION_RAINBOW && a.colors_size() == 1)
      return "animation.colors: rainbow needs 0 or >= 2";
  }
  if (s.has_glow()) {
    if (!valid_colour(s.glow().color())) return bad_colour("glow.color", s.glow().color());
    if (s.glow().radius() <= 0 || s.glow().radius() > 48)
      return "glow.radius: must be within (0, 48]";
  }
  if (s.has_extrude()) {
    if (!valid_colour(s.extrude().color())) return bad_colour("extrude.color", s.extrude().color());
    if (std::abs(s.extrude().dx()) > 32 || std::abs(s.extrude().dy()) > 32)
      return "extrude: dx and dy within -32..32";
    if (s.extrude().steps() > 16) return "extrude.steps: at most 16";
  }
  if (s.has_bubble()) {
    if (!valid_colour(s.bubble().color())) return bad_colour("bubble.color", s.bubble().color());
    if (s.bubble().radius() < 0 || s.bubble().radius() > 200)
      return "bubble.radius: must be within 0..200";
    if (s.bubble().margin() < 0 || s.bubble().margin() > 100)
      return "bubble.margin: must be within 0..100";
    if (s.bubble().has_outline()) {
      if (!valid_colour(s.bubble().outline().color())) {
        return bad_colour("bubble.outline.color", s.bubble().outline().color());
      }
      if (s.bubble().outline().width() < 0 || s.bubble().outline().width() > 32) {
        return "bubble.outline.width: must be within 0..32";
      }
    }
  }
  return {};
}

// Field-level checks protobuf's parser cannot make. Returns the offending
// field's JSON path and why, or an empty string when the style is valid.
std::string validate(const v1::StyleSpec& s) {
  auto bad_colour = [](const std::string& field, const std::string& value) {
    return fmt::format("{}: \"{}\" is not a colour (#RRGGBB or #RRGGBBAA)", field, value);
  };
  if (s.id().empty()) return "id: missing";
  for (char c : s.id()) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
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
    if (!valid_colour(o.color()))
      return bad_colour(fmt::format("outlines[{}].color", i), o.color());
    if (o.width() <= 0 || o.width() > 64)
      return fmt::format("outlines[{}].width: must be within (0, 64]", i);
  }
  if (s.has_shadow()) {
    if (!valid_colour(s.shadow().color())) return bad_colour("shadow.color", s.shadow().color());
    // The renderer keeps the shadow inside the canvas; a far offset would
    // leave no room for the text itself.
    if (std::abs(s.shadow().dx()) > 64) return "shadow.dx: must be within -64..64";
    if (std::abs(s.shadow().dy()) > 64) return "shadow.dy: must be within -64..64";
  }
  return validate_effects(s);
}

}  // namespace

std::string compute_config_id(const v1::StyleSpec& style, std::string_view font_fingerprint) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    style.SerializeToCodedStream(&coded);
  }
  // The same style drawn with other fonts is another sticker. Without a font
  // set the id stays what it always was.
  if (!font_fingerprint.empty()) bytes += fmt::format("\nfonts:{}", font_fingerprint);
  gchar* hex = g_compute_checksum_for_data(
      G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string id(hex, 16);
  g_free(hex);
  return id;
}

Result<v1::StyleSpec> StyleCatalogue::parse_style(const std::string& json,
                                                  const std::string& origin) {
  v1::StyleSpec spec;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields =
      false;  // a typo in a field name is an error, not a silent default
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
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        entry.path().filename() != kFontSetFile) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  StyleCatalogue cat;
  if (fs::exists(fs::path(dir) / kFontSetFile, ec)) {
    auto fonts = load_font_set(dir);
    if (!fonts) return fonts.error();
    cat.font_set_ = std::move(*fonts);
  }
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
    cat.config_ids_[spec->id()] = compute_config_id(*spec, cat.font_set_.fingerprint);
    cat.index_[spec->id()] = cat.styles_.size();
    cat.styles_.push_back(std::move(*spec));
  }
  if (cat.styles_.empty()) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("styles directory {} holds no *.json style", dir));
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
