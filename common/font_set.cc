// The font set: styles/fonts.json read, checked and fingerprinted.
//
// The fingerprint hashes each file's path, size and fontRevision (read from
// its 'head' table: a few hundred bytes, not the 20 MB of a CJK collection),
// and the fallback order. A font upgrade changes size or revision, so every
// cached sticker drawn with the old outlines stops matching.
#include "common/font_set.h"

#include <glib.h>
#include <google/protobuf/util/json_util.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "common/checksum_field.h"
#include "style.pb.h"

namespace stickerd {
namespace {

namespace fs = std::filesystem;

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

bool read_at(std::ifstream& in, std::uint64_t offset, unsigned char* out, std::size_t n) {
  in.clear();  // a short read before must not stop this one
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
  return static_cast<std::size_t>(in.gcount()) == n;
}

std::string fingerprint_of(const FontSet& set) {
  std::unique_ptr<GChecksum, decltype(&g_checksum_free)> sum(g_checksum_new(G_CHECKSUM_SHA256),
                                                             &g_checksum_free);
  checksum_field(sum.get(), "stickerd-font-set-v1");
  for (const FontFile& f : set.files) {
    checksum_field(sum.get(), f.path);
    checksum_field(sum.get(), std::to_string(f.size));
    checksum_field(sum.get(), f.version);
  }
  for (const std::string& family : set.fallback) checksum_field(sum.get(), family);
  checksum_field(sum.get(), set.emoji);
  return std::string(g_checksum_get_string(sum.get()), 16);
}

}  // namespace

std::string font_revision(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 16> b{};
  if (!in || !read_at(in, 0, b.data(), 12)) return "";
  std::uint64_t font = 0;              // the offset of the (first) font's table directory
  if (be32(b.data()) == 0x74746366) {  // 'ttcf': a collection
    if (!read_at(in, 12, b.data(), 4)) return "";  // the first face's offset
    font = be32(b.data());
    if (!read_at(in, font, b.data(), 12)) return "";
  }
  const std::uint32_t tables = (std::uint32_t{b[4]} << 8) | b[5];
  for (std::uint32_t i = 0; i < tables && i < 256; ++i) {
    if (!read_at(in, font + 12 + 16 * i, b.data(), 16)) return "";
    if (be32(b.data()) != 0x68656164) continue;  // 'head'
    std::array<unsigned char, 8> head{};
    if (!read_at(in, be32(b.data() + 8), head.data(), head.size())) return "";
    // fontRevision: Fixed 16.16, written with three decimals as font tools show it.
    const double revision = static_cast<double>(be32(head.data() + 4)) / 65536.0;
    return fmt::format("{:.3f}", revision);
  }
  return "";
}

Result<FontSet> parse_font_set(const std::string& json, const std::string& origin) {
  v1::FontSetSpec spec;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (const auto status = google::protobuf::util::JsonStringToMessage(json, &spec, options);
      !status.ok()) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("{}: {}", origin, std::string(status.message())));
  }
  if (spec.files().empty())
    return make_error(v1::INVALID_ARGUMENT, fmt::format("{}: files: none declared", origin));
  FontSet set;
  for (const std::string& path : spec.files()) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) {
      return make_error(
          v1::INVALID_ARGUMENT,
          fmt::format("{}: font {} is not installed ({}); scripts/install-deps installs the set",
                      origin, path, ec.message()));
    }
    set.files.push_back(FontFile{path, size, font_revision(path)});
  }
  set.fallback.assign(spec.fallback().begin(), spec.fallback().end());
  set.emoji = spec.emoji();
  set.fingerprint = fingerprint_of(set);
  return set;
}

Result<FontSet> load_font_set(const std::string& styles_dir) {
  const std::string path = (fs::path(styles_dir) / kFontSetFile).string();
  std::ifstream in(path);
  if (!in)
    return make_error(v1::INVALID_ARGUMENT, fmt::format("{}: cannot read the font set", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_font_set(text.str(), path);
}

}  // namespace stickerd
