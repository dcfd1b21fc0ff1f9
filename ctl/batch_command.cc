// stickerctl batch: one text in many styles, each file written as it arrives.
#include <optional>

#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/formats.h"
#include "ctl/output_file.h"
#include "ctl/report.h"

namespace stickerd::ctl {

int run_batch(Client& client, const Options& options) {
  if (auto failed = ensure_directory(options.output)) {
    return report_transport_failure(failed->message);
  }

  v1::Request request;
  request.set_id(1);
  auto* batch = request.mutable_batch();
  batch->set_text(options.text);
  for (const auto& id : options.style_ids) batch->add_style_ids(id);
  batch->set_format(options.format);
  batch->set_profile(options.profile);
  if (!client.send(request)) {
    return report_transport_failure("the daemon closed the connection before the request was sent");
  }

  // The exit code of the first failed item: a script learns why, not just that.
  std::optional<int> first_failure;
  for (;;) {
    auto reply = client.receive();
    if (!reply) return report_transport_failure(reply.error().message);
    // Id 0: an error about the connection (e.g. CONNECTION_LIMIT), reported by its code.
    if (reply->id() == 0 && reply->has_error()) return report_error(from_proto(reply->error()));
    if (reply->id() != request.id()) {
      return report_transport_failure(
          fmt::format("the daemon answered request {} instead of {}", reply->id(), request.id()));
    }
    if (reply->has_error()) return report_error(from_proto(reply->error()));
    if (reply->has_batch_done()) {
      const auto& done = reply->batch_done();
      fmt::print("{} of {} styles rendered\n", done.succeeded(), done.count());
      return first_failure.value_or(kExitOk);
    }
    if (!reply->has_batch_item()) {
      return report_transport_failure("the daemon sent a reply that does not belong to a batch");
    }

    const auto& item = reply->batch_item();
    if (item.has_error()) {
      const Error error = from_proto(item.error());
      fmt::print(stderr, "stickerctl: {} {}: {}\n", item.index(), item.style_id(), error);
      if (!first_failure) first_failure = exit_code_for(error.code);
      continue;
    }
    if (!item.has_sticker()) return report_transport_failure("a batch item holds no result");
    const v1::Sticker& sticker = item.sticker();
    const std::string path =
        options.output + "/" +
        batch_file_name(item.index(), item.style_id(), format_extension(sticker.format()));
    if (auto failed = write_file(path, sticker.data())) {
      return report_transport_failure(failed->message);
    }
    fmt::print("{} {} -> {}\n", item.index(), describe(sticker), path);
  }
}

}  // namespace stickerd::ctl
