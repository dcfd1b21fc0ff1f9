// stickerctl styles: the daemon's style catalogue, as a table or JSON.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/formats.h"
#include "ctl/report.h"

namespace stickerd::ctl {
namespace {

std::string join(const auto& items, auto&& name) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += name(item);
  }
  return out;
}

void print_table(const v1::StyleList& list) {
  std::size_t id_width = 2;
  std::size_t name_width = 4;
  for (const auto& style : list.styles()) {
    id_width = std::max(id_width, style.id().size() + 1);  // +1 for the default marker
    name_width = std::max(name_width, style.name().size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<8}  {:<24}  {}\n", "ID", id_width, "NAME", name_width, "ANIMATED",
             "FORMATS", "TAGS");
  for (const auto& style : list.styles()) {
    const bool is_default = style.id() == list.default_style();
    const std::string formats = join(style.formats(), [](int f) {
      return std::string(format_name(static_cast<v1::Format>(f)));
    });
    const std::string tags = join(style.tags(), [](const std::string& t) { return t; });
    fmt::print("{:<{}}  {:<{}}  {:<8}  {:<24}  {}\n", style.id() + (is_default ? "*" : ""),
               id_width, style.name(), name_width, style.animated() ? "yes" : "no", formats, tags);
  }
  fmt::print("* default style\n");
}

}  // namespace

int run_styles(Client& client, const Options& options) {
  v1::Request request;
  request.set_id(1);
  request.mutable_list_styles();
  auto reply = call(client, request);
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_styles()) return report_transport_failure("the daemon's reply holds no styles");

  if (options.json) {
    if (!print_json(reply->styles()))
      return report_transport_failure("cannot print styles as JSON");
  } else {
    print_table(reply->styles());
  }
  return kExitOk;
}

}  // namespace stickerd::ctl
