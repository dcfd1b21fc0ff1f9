// What stickerctl tells the user.
#include "ctl/report.h"

#include <google/protobuf/util/json_util.h>

#include <fmt/format.h>

#include "ctl/exit_codes.h"
#include "ctl/formats.h"

namespace stickerd::ctl {

std::string describe(const v1::Sticker& sticker) {
  return fmt::format("{} {} {}x{}, {} frame{}, {} bytes, rendered in {:.1f} ms", sticker.style_id(),
                     format_name(sticker.format()), sticker.width(), sticker.height(),
                     sticker.frame_count(), sticker.frame_count() == 1 ? "" : "s",
                     sticker.data().size(), sticker.render_us() / 1000.0);
}

bool print_json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions json_options;
  json_options.add_whitespace = true;
  json_options.always_print_primitive_fields = true;
  json_options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, json_options).ok()) return false;
  fmt::print("{}", json);
  return true;
}

int report_error(const Error& error) {
  fmt::print(stderr, "stickerctl: {}\n", error);
  return exit_code_for(error.code);
}

int report_transport_failure(std::string_view message) {
  fmt::print(stderr, "stickerctl: {}\n", message);
  return kExitTransport;
}

}  // namespace stickerd::ctl
