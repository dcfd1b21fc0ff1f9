// stickerctl stats: the daemon's live figures, as a table or JSON.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/report.h"

namespace stickerd::ctl {
namespace {

void print_table(const v1::Stats& s) {
  fmt::print("workers      {} total, {} ready, {} busy, {} idle\n", s.total_workers(),
             s.ready_workers(), s.busy_workers(), s.idle_workers());
  fmt::print("queue        {} of {}\n", s.queue_size(), s.queue_capacity());
  fmt::print("tasks        {} completed, {} failed, {} retried\n", s.tasks_completed(),
             s.tasks_failed(), s.retries());
  fmt::print("rejected     {} (queue full)\n", s.rejected_queue_full());
  fmt::print("restarts     {}\n", s.restarts());
  fmt::print("connections  {}\n", s.connections());
  fmt::print("cache        {} hits, {} misses, {} entries, {} of {} KiB\n", s.cache_hits(),
             s.cache_misses(), s.cache_entries(), s.cache_bytes() >> 10,
             s.cache_capacity_bytes() >> 10);
  if (s.disk_cache_capacity_bytes() > 0) {
    fmt::print(
        "disk cache   {} hits, {} misses, {} refused, {} loaded into memory, {} entries, {} of "
        "{} KiB{}\n",
        s.disk_cache_hits(), s.disk_cache_misses(), s.disk_cache_refused(),
        s.disk_cache_preloaded() + s.disk_cache_refreshed(), s.disk_cache_entries(),
        s.disk_cache_bytes() >> 10, s.disk_cache_capacity_bytes() >> 10,
        !s.disk_cache_ready()     ? " (not open)"
        : s.disk_cache_writable() ? ""
                                  : " (not writing: see the log)");
  }
  fmt::print("uptime       {:.1f} s\n", s.uptime_seconds());
  if (s.redis() != v1::REDIS_STATE_OFF) {
    fmt::print("redis cache  {} hits, {} misses\n", s.redis_cache_hits(), s.redis_cache_misses());
  }
  if (s.redis() == v1::REDIS_STATE_CONNECTED) fmt::print("redis        connected (cluster mode)\n");
  if (s.redis() == v1::REDIS_STATE_DEGRADED)
    fmt::print("redis        degraded: serving this node's clients alone, reconnecting\n");
  if (s.redis() != v1::REDIS_STATE_OFF) {
    fmt::print("cluster      {} entries reclaimed from silent nodes, {} dead-lettered\n",
               s.cluster_reclaimed(), s.cluster_dead_lettered());
  }
}

}  // namespace

int run_stats(Client& client, const Options& options) {
  v1::Request request;
  request.set_id(1);
  request.mutable_stats();
  auto reply = call(client, request);
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_stats()) return report_transport_failure("the daemon's reply holds no stats");

  if (options.json) {
    if (!print_json(reply->stats())) return report_transport_failure("cannot print stats as JSON");
  } else {
    print_table(reply->stats());
  }
  return kExitOk;
}

}  // namespace stickerd::ctl
