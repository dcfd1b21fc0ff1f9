// stickerctl fonts: the font set the renderer draws with and the scripts it
// covers, read locally from the styles directory (no daemon): the same files,
// fallback order and fingerprint the workers and the cache keys use.
#include <set>
#include <string>

#include <fmt/format.h>

#include "common/font_config.h"
#include "common/style_catalogue.h"
#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/report.h"

namespace stickerd::ctl {
namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
      continue;
    }
    out += c;
  }
  return out + '"';
}

std::string joined(const auto& items, std::string_view sep, auto&& quote) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(sep)) + quote(item);
  return out;
}

}  // namespace

int run_fonts(const Options& options) {
  const std::string dir = default_styles_dir();
  auto set = load_font_set(dir);
  if (!set) return report_error(set.error());
  auto config = make_font_config(*set);
  if (!config) return report_error(config.error());
  const std::vector<FontFace> faces = list_faces(config->get(), *set);
  std::set<std::string> covered;
  for (const FontFace& f : faces) covered.insert(f.scripts.begin(), f.scripts.end());
  std::uint64_t bytes = 0;
  for (const FontFile& f : set->files) bytes += f.size;
  auto same = [](const std::string& s) { return s; };

  if (options.json) {
    std::string files;
    for (const FontFile& f : set->files) {
      std::string file_faces;
      for (const FontFace& face : faces) {
        if (face.file != f.path) continue;
        file_faces += fmt::format("{}{{\"family\": {}, \"style\": {}, \"scripts\": [{}]}}",
                                  file_faces.empty() ? "" : ", ", json_string(face.family),
                                  json_string(face.style), joined(face.scripts, ", ", json_string));
      }
      files +=
          fmt::format("{}\n    {{\"path\": {}, \"size\": {}, \"version\": {}, \"faces\": [{}]}}",
                      files.empty() ? "" : ",", json_string(f.path), f.size, json_string(f.version),
                      file_faces);
    }
    fmt::print(
        "{{\"fingerprint\": {}, \"bytes\": {}, \"files\": [{}\n  ],\n  \"fallback\": [{}],\n  "
        "\"emoji\": {},\n  "
        "\"scripts\": [{}]}}\n",
        json_string(set->fingerprint), bytes, files, joined(set->fallback, ", ", json_string),
        json_string(set->emoji), joined(covered, ", ", json_string));
    return kExitOk;
  }
  fmt::print("font set {} ({}/{}): {} files, {:.1f} MB\n", set->fingerprint, dir, kFontSetFile,
             set->files.size(), static_cast<double>(bytes) / 1e6);
  for (const FontFace& face : faces) {
    const FontFile* file = nullptr;
    for (const FontFile& f : set->files) {
      if (f.path == face.file) file = &f;
    }
    fmt::print("  {:<34} {:<12} {:>7}  {}  [{}]\n", face.family, face.style,
               file ? file->version : "", face.file, joined(face.scripts, " ", same));
  }
  fmt::print("fallback after a style's own font: {}\n", joined(set->fallback, ", ", same));
  fmt::print("emoji (raster; TGS draws Symbola's outlines): {}\n", set->emoji);
  fmt::print("{} scripts covered: {}\n", covered.size(), joined(covered, " ", same));
  return kExitOk;
}

}  // namespace stickerd::ctl
