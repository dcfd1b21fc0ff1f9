// stickerctl cluster: the nodes of the cluster and its task streams, as the
// node behind the control socket reads them from Redis.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/report.h"

namespace stickerd::ctl {
namespace {

void print_cluster(const v1::ClusterReport& report) {
  fmt::print("{} nodes (as node {} reads the registry)\n", report.nodes_size(), report.node());
  fmt::print("{:<24} {:>7} {:>5} {:>5} {:>6} {:>10} {:>9} {:>5}  {}\n", "node", "workers", "idle",
             "busy", "queue", "completed", "reclaimed", "dead", "last seen");
  for (const v1::ClusterNode& n : report.nodes()) {
    fmt::print("{:<24} {:>7} {:>5} {:>5} {:>6} {:>10} {:>9} {:>5}  {:.1f}s ago\n", n.name(),
               n.total_workers(), n.idle_workers(), n.busy_workers(), n.queue_size(),
               n.tasks_completed(), n.reclaimed(), n.dead_lettered(), n.last_seen_seconds());
  }
  fmt::print("\n{:<12} {:>7} {:>8} {:>7}\n", "stream", "depth", "pending", "lag");
  for (const v1::ClusterStream& s : report.streams()) {
    fmt::print("{:<12} {:>7} {:>8} {:>7}\n", s.priority(), s.depth(), s.pending(),
               s.lag_known() ? std::to_string(s.lag()) : std::string("?"));
  }
  fmt::print("\ndead letters {} (stickerd:dead)\n", report.dead_letters());
}

}  // namespace

int run_cluster(Client& client, const Options& options) {
  v1::Request request;
  request.set_id(1);
  request.mutable_cluster();
  auto reply = call(client, request);
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_cluster()) return report_transport_failure("the daemon's reply holds no cluster");
  if (options.json) {
    if (!print_json(reply->cluster()))
      return report_transport_failure("cannot print the cluster as JSON");
  } else {
    print_cluster(reply->cluster());
  }
  return kExitOk;
}

}  // namespace stickerd::ctl
