// The private fontconfig configuration of the font set.
//
// FcConfigCreate gives a configuration with no fonts and no rules; an XML
// snippet then names the directories of the declared files, the system's
// cache directories (so fontconfig reads its caches instead of parsing every
// file with FreeType: 0.4 s for this set at each worker start, against about
// 1 ms), and a <selectfont> that rejects every file and accepts exactly the
// declared ones. No host rule (aliases, synthetic emboldening, hinting)
// applies: the fallback order is the font set's, given to pango as a family
// list (worker/scene/layout.cc).
#include "common/font_config.h"

#include <glib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

namespace stickerd {
namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// A glob that matches one file and nothing else.
std::string exact_glob(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string config_xml(const FontSet& set) {
  std::set<std::string> dirs;
  for (const FontFile& f : set.files)
    dirs.insert(std::filesystem::path(f.path).parent_path().string());
  std::string xml = "<?xml version=\"1.0\"?><fontconfig>";
  for (const std::string& d : dirs) xml += fmt::format("<dir>{}</dir>", xml_escape(d));
  // Debian's system cache, then the per-user one; a stale or missing cache
  // only costs a scan.
  xml += "<cachedir>/var/cache/fontconfig</cachedir><cachedir prefix=\"xdg\">fontconfig</cachedir>";
  // pango asks for the generic family "emoji" for a run of emoji in emoji
  // presentation, whatever the description's families: name the set's font.
  if (!set.emoji.empty()) {
    xml += fmt::format(
        "<alias "
        "binding=\"same\"><family>emoji</family><prefer><family>{}</family></prefer></alias>",
        xml_escape(set.emoji));
  }
  xml += "<selectfont><rejectfont><glob>*</glob></rejectfont><acceptfont>";
  for (const FontFile& f : set.files)
    xml += fmt::format("<glob>{}</glob>", xml_escape(exact_glob(f.path)));
  xml += "</acceptfont></selectfont></fontconfig>";
  return xml;
}

std::string string_of(FcPattern* p, const char* object) {
  FcChar8* s = nullptr;
  return FcPatternGetString(p, object, 0, &s) == FcResultMatch ? reinterpret_cast<const char*>(s)
                                                               : "";
}

// The scripts of the letters (not the shared punctuation and digits) the
// face has a glyph for.
std::vector<std::string> scripts_of(FcPattern* p) {
  FcCharSet* charset = nullptr;
  if (FcPatternGetCharSet(p, FC_CHARSET, 0, &charset) != FcResultMatch) return {};
  std::set<std::string> codes;
  FcChar32 map[FC_CHARSET_MAP_SIZE];
  FcChar32 next = 0;
  for (FcChar32 base = FcCharSetFirstPage(charset, map, &next); base != FC_CHARSET_DONE;
       base = FcCharSetNextPage(charset, map, &next)) {
    for (unsigned i = 0; i < FC_CHARSET_MAP_SIZE; ++i) {
      for (unsigned bit = 0; bit < 32; ++bit) {
        if (!((map[i] >> bit) & 1)) continue;
        const GUnicodeScript script = g_unichar_get_script(base + i * 32 + bit);
        if (script == G_UNICODE_SCRIPT_COMMON || script == G_UNICODE_SCRIPT_INHERITED ||
            script == G_UNICODE_SCRIPT_UNKNOWN) {
          continue;
        }
        const guint32 tag = g_unicode_script_to_iso15924(script);
        const char code[5] = {static_cast<char>(tag >> 24), static_cast<char>(tag >> 16),
                              static_cast<char>(tag >> 8), static_cast<char>(tag), 0};
        codes.insert(code);
      }
    }
  }
  return {codes.begin(), codes.end()};
}

}  // namespace

Result<FcConfigPtr> make_font_config(const FontSet& set) {
  FcConfigPtr config(FcConfigCreate());
  const std::string xml = config_xml(set);
  if (!config ||
      !FcConfigParseAndLoadFromMemory(config.get(), reinterpret_cast<const FcChar8*>(xml.c_str()),
                                      FcTrue) ||
      !FcConfigBuildFonts(config.get())) {
    return make_error(v1::INTERNAL, "fontconfig refused the font set's configuration");
  }
  // Every declared file must give a font: one fontconfig cannot read would
  // otherwise leave the set without a word.
  std::set<std::string> loaded;
  if (FcFontSet* fonts = FcConfigGetFonts(config.get(), FcSetSystem)) {
    for (int i = 0; i < fonts->nfont; ++i) loaded.insert(string_of(fonts->fonts[i], FC_FILE));
  }
  for (const FontFile& f : set.files) {
    if (!loaded.count(f.path)) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("font {} holds no font fontconfig can use", f.path));
    }
  }
  return config;
}

std::vector<FontFace> list_faces(FcConfig* config, const FontSet& set) {
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < set.files.size(); ++i) order.emplace(set.files[i].path, i);
  std::vector<std::pair<std::pair<std::size_t, int>, FontFace>> faces;
  if (FcFontSet* fonts = FcConfigGetFonts(config, FcSetSystem)) {
    for (int i = 0; i < fonts->nfont; ++i) {
      FcPattern* p = fonts->fonts[i];
      FontFace face{string_of(p, FC_FILE), string_of(p, FC_FAMILY), string_of(p, FC_STYLE),
                    scripts_of(p)};
      int index = 0;
      FcPatternGetInteger(p, FC_INDEX, 0, &index);
      const auto at = order.find(face.file);
      faces.push_back({{at == order.end() ? order.size() : at->second, index}, std::move(face)});
    }
  }
  std::sort(faces.begin(), faces.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<FontFace> out;
  for (auto& f : faces) out.push_back(std::move(f.second));
  return out;
}

}  // namespace stickerd
