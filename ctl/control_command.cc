// stickerctl scale / drain / resume / restart-workers / reload: one control
// request each, answered with what the daemon did.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/report.h"

namespace stickerd::ctl {

int run_control(Client& client, const Options& options) {
  v1::Request request;
  request.set_id(1);
  switch (options.command) {
    case Command::kScale:
      request.mutable_scale()->set_workers(options.scale_workers);
      break;
    case Command::kDrain:
      request.mutable_drain()->set_exit(options.drain_exit);
      break;
    case Command::kResume:
      request.mutable_resume();
      break;
    case Command::kRestartWorkers:
      request.mutable_restart_workers();
      break;
    case Command::kReload:
      request.mutable_reload();
      break;
    default:
      return report_transport_failure("not a control command");
  }
  auto reply = call(client, request);
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_control()) return report_transport_failure("the daemon's reply holds no result");
  if (options.json) {
    if (!print_json(reply->control())) return report_transport_failure("cannot print as JSON");
  } else {
    fmt::print("{}\n", reply->control().message());
  }
  return kExitOk;
}

}  // namespace stickerd::ctl
