#include "master/service/reports.h"

#include <fmt/format.h>

namespace stickerd {
namespace {

bool is_animated(const v1::StyleSpec& style) {
  for (int f : style.formats()) {
    if (f == v1::FORMAT_WEBP_ANIMATED || f == v1::FORMAT_TGS || f == v1::FORMAT_WEBM) return true;
  }
  return false;
}

}  // namespace

void Reports::fill_stats(v1::Stats& stats) const {
  const WorkerCounts w = p_.supervisor.counts();
  const Counters& n = p_.requests.counters;
  stats.set_total_workers(w.total);
  stats.set_busy_workers(w.busy);
  stats.set_idle_workers(w.idle);
  stats.set_ready_workers(w.ready);
  stats.set_queue_size(static_cast<std::uint32_t>(p_.requests.queue.size()));
  stats.set_queue_capacity(static_cast<std::uint32_t>(p_.requests.queue.capacity()));
  stats.set_tasks_completed(n.tasks_completed);
  stats.set_tasks_failed(n.tasks_failed);
  stats.set_restarts(p_.supervisor.exits().restarts());
  stats.set_uptime_seconds(static_cast<double>(uv_hrtime() - started_ns_) / 1e9);
  stats.set_rejected_queue_full(n.rejected_queue_full);
  stats.set_connections(static_cast<std::uint32_t>(p_.connections.size()));
  stats.set_retries(n.retries);
  stats.set_backoff_slots(w.backoff);
  stats.set_restarts_deadline(p_.supervisor.exits().of(ExitReason::kDeadline));
  stats.set_recycled_workers(p_.supervisor.exits().recycles());
  stats.set_poisoned(n.poisoned);
  stats.set_deadline_exceeded(n.deadline_exceeded);
  stats.set_rejected_limits(n.rejected_limits);
  stats.set_poison_entries(static_cast<std::uint32_t>(p_.requests.poison.size()));
  fill_cache_stats(stats);
  if (p_.redis) {
    stats.set_redis(p_.redis->state() == RedisState::kConnected ? v1::REDIS_STATE_CONNECTED
                                                                : v1::REDIS_STATE_DEGRADED);
    stats.set_redis_cache_hits(n.redis_cache_hits);
    stats.set_redis_cache_misses(n.redis_cache_misses);
    stats.set_cluster_reclaimed(n.cluster_reclaimed);
    stats.set_cluster_dead_lettered(n.cluster_dead_lettered);
  }
}

void Reports::fill_cache_stats(v1::Stats& stats) const {
  const CacheCounts& c = p_.requests.cache.counts();
  stats.set_cache_hits(c.hits);
  stats.set_cache_misses(c.misses);
  stats.set_cache_evictions(c.evictions);
  stats.set_cache_bytes(c.bytes);
  stats.set_cache_entries(c.entries);
  stats.set_cache_joined(p_.requests.counters.cache_joined);
  stats.set_warm_queued(p_.requests.counters.warm_queued);
  stats.set_warm_dropped(p_.requests.counters.warm_dropped);
  stats.set_cache_capacity_bytes(p_.requests.cache.budget());
  const DiskCacheCounts d = p_.requests.disk.counts();
  stats.set_disk_cache_hits(d.hits);
  stats.set_disk_cache_misses(d.misses);
  stats.set_disk_cache_refused(d.refused);
  stats.set_disk_cache_evictions(d.evictions);
  stats.set_disk_cache_bytes(d.bytes);
  stats.set_disk_cache_entries(d.entries);
  stats.set_disk_cache_capacity_bytes(d.budget);
  stats.set_disk_cache_writes(d.writes);
  stats.set_disk_cache_write_errors(d.write_errors);
  stats.set_disk_cache_dropped_writes(d.dropped_writes);
  stats.set_disk_cache_ready(d.ready);
  stats.set_disk_cache_writable(d.writable);
  stats.set_disk_cache_backlog(d.backlog);
  stats.set_disk_cache_preloaded(d.preloaded);
  stats.set_disk_cache_refreshed(d.refreshed);
  stats.set_pool_grows(p_.sizing.scaler().grows());
  stats.set_pool_shrinks(p_.sizing.scaler().shrinks());
}

void Reports::fill_styles(v1::StyleList& list) const {
  list.set_default_style(p_.catalogue.default_style_id());
  for (const auto& style : p_.catalogue.styles()) {
    v1::StyleInfo* info = list.add_styles();
    info->set_id(style.id());
    info->set_name(style.name());
    *info->mutable_tags() = style.tags();
    *info->mutable_formats() = style.formats();
    info->set_config_id(p_.catalogue.config_id(style.id()));
    info->set_animated(is_animated(style));
  }
}

void Reports::fill_poison(v1::PoisonList& list) {
  const std::uint64_t now = uv_now(p_.loop);
  for (const PoisonEntry& e : p_.requests.poison.list(now)) {
    v1::PoisonEntry* p = list.add_entries();
    p->set_fingerprint(fmt::format("{:016x}", e.fingerprint));
    p->set_style_id(e.style_id);
    p->set_text_preview(e.text_preview);
    p->set_term_signal(e.cause.term_signal);
    p->set_exit_code(e.cause.exit_code);
    p->set_kills(e.kills);
    p->set_refused(e.refused);
    p->set_age_seconds(static_cast<double>(now - e.first_seen_ms) / 1000.0);
    p->set_expires_in_seconds(
        static_cast<double>(p_.config.poison_ttl_s * 1000 - (now - e.last_seen_ms)) / 1000.0);
  }
}

PoolSnapshot Reports::snapshot() const {
  const WorkerCounts w = p_.supervisor.counts();
  PoolSnapshot s;
  s.pool = {w.total,
            w.ready,
            w.busy,
            p_.requests.queue.size(),
            p_.requests.queue.capacity(),
            p_.connections.size()};
  s.exits = p_.supervisor.exits();
  s.tasks_completed = p_.requests.counters.tasks_completed;
  s.cache_warming = p_.requests.disk.warming();
  for (const WorkerView& v : p_.supervisor.workers()) {
    if (v.pid > 0) s.worker_pids.emplace_back(v.slot, v.pid);
  }
  return s;
}

}  // namespace stickerd
