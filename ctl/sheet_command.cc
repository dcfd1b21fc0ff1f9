// stickerctl sheet: many texts in one style on one contact sheet, e.g. a
// sentence in each script (docs/scripts.png), to look at them side by side.
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/contact_sheet.h"
#include "ctl/exit_codes.h"
#include "ctl/formats.h"
#include "ctl/report.h"
#include "ctl/sticker_picture.h"

namespace stickerd::ctl {
namespace {

struct LabelledText {
  std::string label;
  std::string text;
};

// "label<TAB>text" lines; blank lines and lines starting with '#' are skipped.
Result<std::vector<LabelledText>> read_texts(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(v1::INVALID_ARGUMENT, fmt::format("cannot read {}", path));
  std::vector<LabelledText> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("{}:{}: no TAB between the label and the text", path, n));
    }
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  if (out.empty()) return make_error(v1::INVALID_ARGUMENT, fmt::format("{} holds no text", path));
  return out;
}

}  // namespace

int run_sheet(Client& client, const Options& options) {
  auto texts = read_texts(options.text);
  if (!texts) return report_error(texts.error());
  const v1::Format format =
      options.format == v1::FORMAT_UNSPECIFIED ? v1::FORMAT_WEBP : options.format;
  std::vector<SheetTile> tiles;
  std::optional<int> first_failure;
  std::uint64_t id = 0;
  for (const LabelledText& t : *texts) {
    v1::Request request;
    request.set_id(++id);
    auto* render = request.mutable_render();
    render->set_text(t.text);
    render->set_style_id(options.style_id);
    render->set_format(format);
    render->set_profile(format == v1::FORMAT_WEBP_ANIMATED ? v1::PROFILE_WHATSAPP
                                                           : v1::PROFILE_TELEGRAM);
    auto reply = call(client, request);
    if (!reply) return report_transport_failure(reply.error().message);
    if (!reply->has_sticker()) {
      const Error error = reply->has_error()
                              ? from_proto(reply->error())
                              : make_error(v1::INTERNAL, "the daemon's reply holds no sticker");
      fmt::print(stderr, "stickerctl: {}: {}\n", t.label, error);
      if (!first_failure) first_failure = exit_code_for(error.code);
      continue;
    }
    auto picture = sticker_picture(reply->sticker().data(), format);
    if (!picture)
      return report_transport_failure(fmt::format("{}: {}", t.label, picture.error().message));
    tiles.push_back(SheetTile{t.label, std::move(*picture)});
    fmt::print("{}: {} bytes\n", t.label, reply->sticker().data().size());
  }
  // Many small tiles: a sheet of 40-odd scripts stays a picture a page can show.
  if (auto failed = write_contact_sheet(tiles, options.contact_sheet,
                                        SheetLayout{.columns = 8, .tile_px = 104})) {
    return report_transport_failure(failed->message);
  }
  fmt::print("{} texts on {}\n", tiles.size(), options.contact_sheet);
  return first_failure.value_or(kExitOk);
}

}  // namespace stickerd::ctl
