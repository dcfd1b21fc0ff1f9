// stickerctl gallery: one text in every style and every format each declares,
// rendered by the daemon, written to a directory with an index.html that shows
// them side by side; TGS files get an animated WebP preview played back with
// rlottie. --contact-sheet also writes one labelled picture per style.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/contact_sheet.h"
#include "ctl/exit_codes.h"
#include "ctl/formats.h"
#include "ctl/gallery_entry.h"
#include "ctl/gallery_page.h"
#include "ctl/output_file.h"
#include "ctl/report.h"
#include "ctl/sticker_picture.h"
#include "ctl/tgs_preview.h"

namespace stickerd::ctl {
namespace {

// Telegram does not animate WebP, so an animated WebP is made for WhatsApp;
// every other format for Telegram.
v1::Profile profile_for(v1::Format format) {
  return format == v1::FORMAT_WEBP_ANIMATED ? v1::PROFILE_WHATSAPP : v1::PROFILE_TELEGRAM;
}

// The contact sheet shows a still where the style has one. A WEBM never:
// stickerctl decodes no VP9, and every style with a WEBM has a WebP too.
std::optional<int> sheet_preference(v1::Format format) {
  switch (format) {
    case v1::FORMAT_WEBP:
      return 0;
    case v1::FORMAT_PNG:
      return 1;
    case v1::FORMAT_WEBP_ANIMATED:
      return 2;
    case v1::FORMAT_TGS:
      return 3;
    default:
      return std::nullopt;
  }
}

// The file a style's contact-sheet picture comes from.
struct SheetSource {
  v1::Format format;
  std::string bytes;
};

// `s` as a JSON string literal.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string file_stem(const std::string& style_id, v1::Format format) {
  std::string stem = style_id;
  for (char& c : stem) {
    if (c == '/') c = '_';  // the file stays inside the directory
  }
  return fmt::format("{}-{}", stem, format_name(format));
}

// The styles to show, in catalogue order or in the order --styles names them.
Result<std::vector<v1::StyleInfo>> chosen_styles(const v1::StyleList& list,
                                                 const std::vector<std::string>& ids) {
  const auto& all = list.styles();
  if (ids.empty()) return std::vector<v1::StyleInfo>(all.begin(), all.end());
  std::vector<v1::StyleInfo> chosen;
  for (const std::string& id : ids) {
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const v1::StyleInfo& s) { return s.id() == id; });
    if (it == all.end())
      return make_error(v1::UNKNOWN_STYLE, fmt::format("no style '{}' in the catalogue", id));
    chosen.push_back(*it);
  }
  return chosen;
}

}  // namespace

int run_gallery(Client& client, const Options& options) {
  v1::Request list;
  list.set_id(1);
  list.mutable_list_styles();
  auto listed = call(client, list);
  if (!listed) return report_transport_failure(listed.error().message);
  if (listed->has_error()) return report_error(from_proto(listed->error()));
  if (!listed->has_styles()) return report_transport_failure("the daemon's reply holds no styles");
  auto styles = chosen_styles(listed->styles(), options.style_ids);
  if (!styles) return report_error(styles.error());
  if (auto failed = ensure_directory(options.output))
    return report_transport_failure(failed->message);

  std::vector<GalleryEntry> entries;
  std::vector<std::string> written;
  std::vector<SheetTile> tiles;
  std::optional<int> first_failure;  // the exit code of the first failed render
  std::uint64_t id = 1;
  for (const v1::StyleInfo& style : *styles) {
    std::optional<SheetSource> sheet_source;
    for (int f : style.formats()) {
      GalleryEntry e;
      e.style_id = style.id();
      e.style_name = style.name().empty() ? style.id() : style.name();
      e.format = static_cast<v1::Format>(f);
      e.profile = profile_for(e.format);

      v1::Request request;
      request.set_id(++id);
      auto* render = request.mutable_render();
      render->set_text(options.text);
      render->set_style_id(style.id());
      render->set_format(e.format);
      render->set_profile(e.profile);
      auto reply = call(client, request);
      if (!reply) return report_transport_failure(reply.error().message);
      if (reply->has_error() || !reply->has_sticker()) {
        const Error error = reply->has_error()
                                ? from_proto(reply->error())
                                : make_error(v1::INTERNAL, "the daemon's reply holds no sticker");
        fmt::print(stderr, "stickerctl: {} {}: {}\n", style.id(), format_name(e.format), error);
        if (!first_failure) first_failure = exit_code_for(error.code);
        e.error = fmt::format("{}", error);
        entries.push_back(std::move(e));
        continue;
      }

      const v1::Sticker& sticker = reply->sticker();
      const std::string stem = file_stem(style.id(), e.format);
      e.file = stem + "." + std::string(format_extension(e.format));
      e.bytes = sticker.data().size();
      e.render_us = sticker.render_us();
      e.frame_count = sticker.frame_count();
      const std::string path = options.output + "/" + e.file;
      if (auto failed = write_file(path, sticker.data()))
        return report_transport_failure(failed->message);
      written.push_back(path);
      if (!options.json) fmt::print("{} -> {}\n", describe(sticker), path);

      if (e.format == v1::FORMAT_TGS) {
        auto preview = tgs_preview_webp(sticker.data());
        if (!preview) {
          e.error = fmt::format("the TGS does not play back: {}", preview.error());
          if (!first_failure) first_failure = exit_code_for(v1::INTERNAL);
        } else {
          e.preview = stem + ".preview.webp";
          const std::string preview_path = options.output + "/" + e.preview;
          if (auto failed = write_file(preview_path, *preview))
            return report_transport_failure(failed->message);
          written.push_back(preview_path);
        }
      }
      if (const auto rank = sheet_preference(e.format);
          !options.contact_sheet.empty() && rank &&
          (!sheet_source || *rank < *sheet_preference(sheet_source->format))) {
        sheet_source = SheetSource{e.format, sticker.data()};
      }
      entries.push_back(std::move(e));
    }
    if (!options.contact_sheet.empty() && sheet_source) {
      auto picture = sticker_picture(sheet_source->bytes, sheet_source->format);
      if (!picture)
        return report_transport_failure(fmt::format("{}: {}", style.id(), picture.error().message));
      tiles.push_back(
          SheetTile{style.name().empty() ? style.id() : style.name(), std::move(*picture)});
    }
  }

  const std::string index = options.output + "/index.html";
  if (auto failed = write_file(index, gallery_page(options.text, entries))) {
    return report_transport_failure(failed->message);
  }
  written.push_back(index);
  if (!options.contact_sheet.empty()) {
    if (auto failed = write_contact_sheet(tiles, options.contact_sheet)) {
      return report_transport_failure(failed->message);
    }
    written.push_back(options.contact_sheet);
  }

  if (options.json) {
    std::string json = "{\"index\": " + json_string(index) + ", \"files\": [";
    for (std::size_t i = 0; i < written.size(); ++i)
      json += (i ? ", " : "") + json_string(written[i]);
    fmt::print("{}]}}\n", json);
  } else {
    fmt::print("{} files written; open {}\n", written.size(), index);
  }
  return first_failure.value_or(kExitOk);
}

}  // namespace stickerd::ctl
