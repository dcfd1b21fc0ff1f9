// stickerctl render: one sticker written to a file.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/output_file.h"
#include "ctl/report.h"

namespace stickerd::ctl {

int run_render(Client& client, const Options& options) {
  v1::Request request;
  request.set_id(1);
  auto* render = request.mutable_render();
  render->set_text(options.text);
  render->set_style_id(options.style_id);
  render->set_format(options.format);
  render->set_profile(options.profile);

  auto reply = call(client, request);
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_sticker()) return report_transport_failure("the daemon's reply holds no sticker");

  const v1::Sticker& sticker = reply->sticker();
  if (auto failed = write_file(options.output, sticker.data())) {
    return report_transport_failure(failed->message);
  }
  fmt::print("{} -> {}\n", describe(sticker), options.output);
  return kExitOk;
}

}  // namespace stickerd::ctl
