// Metrics: every Prometheus metric stickerd exports, declared in this one
// module, plus the HTTP endpoint that serves them (/metrics) and a health
// check (/health).
//
// Threads: the master loop is the only writer. prometheus-cpp's Exposer runs
// CivetWeb threads that call Registry::Collect() on a scrape; Counter and
// Gauge are atomics and Histogram/Family take their own mutex, so a scrape
// never needs the loop. /health reads one atomic that the loop keeps current.
//
// Names: the original Node bot's four names stay as they were so existing
// dashboards keep working; everything new is stickerd_*, in base units, with
// label values from small closed sets (never text, style, user or pid).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "master/cache/disk_cache.h"
#include "master/cache/result_cache.h"
#include "master/config/metrics_address.h"
#include "master/ops/metric_children.h"
#include "master/pool/exit_reason.h"
#include "stickerd.pb.h"

namespace prometheus {
class Exposer;
}

namespace stickerd {

// Why a worker process was replaced; the label values of
// stickerd_worker_restarts_total.

// The figures sampled from the loop's state a few times a second.
struct PoolSample {
  unsigned total_workers = 0;
  unsigned ready_workers = 0;
  unsigned busy_workers = 0;
  std::size_t queue_size = 0;
  std::size_t queue_capacity = 0;
  std::size_t connections = 0;
};

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;
  ~Metrics();

  // Starts serving /metrics and /health on `address` ("HOST:PORT").
  std::optional<Error> expose(const std::string& address);
  // The bound port (useful with port 0), 0 when not exposed.
  int port() const;

  // Loop-side recording. Each takes the facts the caller has at hand.
  void sample(const PoolSample& pool);
  void queue_wait(double seconds);
  // A worker answered a task: `ok` with a sticker, or with an error.
  void task_finished(bool ok, double seconds, const v1::Sticker* sticker);
  void request_finished(v1::ErrorCode code);
  void rejected(v1::ErrorCode reason);
  // `count` more workers ended for `reason` and were replaced.
  void workers_replaced(ExitReason reason, std::uint64_t count);
  // Resident memory of the worker in `slot` (0 once it is gone).
  void worker_rss(unsigned slot, double bytes);
  // A new worker said READY this long after its spawn.
  void worker_started(double seconds);
  // The result cache's running totals and the requests that joined an
  // identical render in flight: counters advance by what changed since the
  // last call, gauges take the sizes.
  void cache(const CacheCounts& counts, std::uint64_t flight_joins);
  // The disk tier's running totals, the same way.
  void disk_cache(const DiskCacheCounts& counts);
  // The dynamic pool sizing grew (up) or shrank (down) the pool by one.
  void pool_scaled(bool up);
  // Cluster mode's link to Redis is up or degraded. A single node never
  // calls it, so it has no stickerd_redis_up series and /health says nothing.
  void redis_up(bool up);
  // Cluster mode's Redis cache tier: lookups that found a sticker, and
  // those that did not (running totals). Absent on a single node.
  void redis_cache(std::uint64_t hits, std::uint64_t misses);
  // Cluster mode: the cluster as the node last read it from Redis (the node
  // registry and the task streams, every few seconds). Like
  // stickerd_redis_up, absent on a single node.
  void cluster(const v1::ClusterReport& report);
  // Cluster mode: an entry taken over from a silent node (XAUTOCLAIM), and
  // one put on the dead-letter stream. Absent until the first.
  void cluster_reclaimed();
  void cluster_dead_lettered();

  // The text a scrape would return (for tests and `stickerctl`-free debugging).
  std::string serialize() const;

 private:
  // Series at 0 for the label values dashboards expect (metrics.cc).
  void precreate_series();

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;

  // The original bot's names.
  prometheus::Gauge& active_workers_;
  prometheus::Gauge& queue_size_;
  prometheus::Family<prometheus::Histogram>& task_duration_;
  prometheus::Counter& tasks_completed_;

  // stickerd_*.
  prometheus::Gauge& workers_configured_;
  prometheus::Gauge& workers_busy_;
  prometheus::Gauge& queue_capacity_;
  prometheus::Gauge& connections_;
  prometheus::Histogram& queue_wait_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& rejections_;
  prometheus::Family<prometheus::Counter>& restarts_;
  prometheus::Family<prometheus::Counter>& slot_tasks_;
  prometheus::Family<prometheus::Histogram>& render_;
  prometheus::Histogram& output_bytes_;
  prometheus::Family<prometheus::Gauge>& worker_rss_;
  prometheus::Histogram& worker_startup_;
  prometheus::Counter& cache_hits_;
  prometheus::Counter& cache_misses_;
  prometheus::Counter& cache_evictions_;
  prometheus::Gauge& cache_bytes_;
  prometheus::Gauge& cache_entries_;
  prometheus::Counter& flight_joins_;
  prometheus::Counter& disk_hits_;
  prometheus::Counter& disk_misses_;
  prometheus::Counter& disk_refused_;
  prometheus::Counter& disk_evictions_;
  prometheus::Counter& disk_writes_;
  prometheus::Counter& disk_write_errors_;
  prometheus::Counter& disk_dropped_writes_;
  prometheus::Counter& disk_refreshed_;
  prometheus::Gauge& disk_bytes_;
  prometheus::Gauge& disk_entries_;
  prometheus::Gauge& disk_writable_;
  prometheus::Family<prometheus::Counter>& scale_events_;
  prometheus::Family<prometheus::Gauge>& redis_up_;
  prometheus::Family<prometheus::Counter>& redis_cache_lookups_;
  std::uint64_t redis_cache_hits_seen_ = 0;
  std::uint64_t redis_cache_misses_seen_ = 0;
  prometheus::Family<prometheus::Gauge>& cluster_nodes_;
  prometheus::Family<prometheus::Gauge>& cluster_depth_;
  prometheus::Family<prometheus::Gauge>& cluster_pending_;
  prometheus::Family<prometheus::Gauge>& cluster_lag_;
  prometheus::Family<prometheus::Counter>& cluster_reclaimed_;
  prometheus::Family<prometheus::Counter>& cluster_dead_lettered_;
  prometheus::Gauge& build_info_;
  prometheus::Gauge& start_time_;

  // The per-request children, found once (see master/metric_children.h).
  MetricChildren<prometheus::Histogram, bool> task_duration_by_ok_{task_duration_};
  MetricChildren<prometheus::Counter, unsigned> slot_tasks_by_slot_{slot_tasks_};
  MetricChildren<prometheus::Histogram, int> render_by_format_{render_};
  MetricChildren<prometheus::Counter, int> requests_by_code_{requests_};
  MetricChildren<prometheus::Counter, int> rejections_by_reason_{rejections_};

  // What cache() saw last, so each call adds only the difference.
  CacheCounts cache_seen_;
  std::uint64_t flight_joins_seen_ = 0;
  DiskCacheCounts disk_seen_;
};

}  // namespace stickerd
