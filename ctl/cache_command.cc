// stickerctl cache top: the texts asked for most lately.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/report.h"

namespace stickerd::ctl {

int run_cache_top(Client& client, const Options& options) {
  v1::Request request;
  request.set_id(1);
  request.mutable_cache_top();
  auto reply = call(client, request);
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_cache_top()) return report_transport_failure("the daemon's reply holds no texts");
  const v1::CacheTop& top = reply->cache_top();
  if (options.json) {
    if (!print_json(top)) return report_transport_failure("cannot print the texts as JSON");
  } else if (top.texts_size() == 0) {
    fmt::print("no requests yet\n");
  } else {
    fmt::print("{:>8}  {}\n", "requests", "text");
    for (const v1::TopText& t : top.texts()) fmt::print("{:>8}  {}\n", t.count(), t.text());
  }
  return kExitOk;
}

}  // namespace stickerd::ctl
