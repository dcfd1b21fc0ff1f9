// Metrics: the registry, its families, and the HTTP endpoint.
#include "master/ops/metrics.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "build_config.h"

namespace stickerd {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Registers one metric family: the constructor's table stays one entry per metric.
template <typename Builder>
auto& family(Builder&& builder, prometheus::Registry& registry, const char* name,
             const char* help) {
  return builder.Name(name).Help(help).Register(registry);
}

// A family of one unlabelled metric, and that metric.
template <typename Builder>
auto& single(Builder&& builder, prometheus::Registry& registry, const char* name,
             const char* help) {
  return family(std::forward<Builder>(builder), registry, name, help).Add({});
}

// Renders are CPU-bound and mostly milliseconds: the network-service default
// buckets shifted down a decade, keeping a tail to 10 s. 0.25 s is a bucket
// boundary because the alert's p99 target is 250 ms.
const Histogram::BucketBoundaries kSecondsBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                  0.25,  0.5,    1,     2.5,  5,     10};
// Queue waits range from nothing to a deadline.
const Histogram::BucketBoundaries kWaitBuckets{0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25,
                                               0.5,    1,     2.5,   5,    10,   30};
// Worker warm-up (spawn to READY): fonts and styles load in tens to
// hundreds of milliseconds; a slow disk or a loaded host stretches it.
const Histogram::BucketBoundaries kStartupBuckets{0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                  1,    2.5,   5,    10,  30};
// Sticker files: 4 KiB .. 4 MiB, doubling.
const Histogram::BucketBoundaries kByteBuckets{4096,   8192,   16384,   32768,   65536,  131072,
                                               262144, 524288, 1048576, 2097152, 4194304};

// Adds to a counter what a running total gained since `seen`, its last value.
void advance(prometheus::Counter& counter, std::uint64_t now, std::uint64_t& seen) {
  if (now > seen) counter.Increment(static_cast<double>(now - seen));
  seen = now;
}

// /health is answered from a CivetWeb thread, which must not touch the loop:
// the loop publishes the one figure it needs here.
std::atomic<unsigned> g_ready_workers{0};
// Cluster mode's link to Redis, for /health's text: a degraded node still
// serves its own clients, so it stays healthy (200).
enum class RedisHealth : unsigned { kSingleNode, kConnected, kDegraded };
std::atomic<RedisHealth> g_redis{RedisHealth::kSingleNode};

// The HTTP endpoint's limits (see Metrics::expose and docs/RELIABILITY.md).
// 256 idle threads cost the master about 5 MiB of RSS.
constexpr unsigned kHttpThreads = 256;
constexpr unsigned kHttpRequestTimeoutMs = 1000;

// CivetWeb's begin_request hook: answers /health itself (returning the status
// code) and leaves every other URI, /metrics included, to the Exposer.
int answer_health(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->local_uri == nullptr ||
      std::string_view(info->local_uri) != "/health") {
    return 0;
  }
  const unsigned ready = g_ready_workers.load(std::memory_order_relaxed);
  const int status = ready > 0 ? 200 : 503;
  std::string body = ready > 0 ? fmt::format("ok: {} workers ready", ready)
                               : std::string("unavailable: no worker is ready");
  switch (g_redis.load(std::memory_order_relaxed)) {
    case RedisHealth::kSingleNode:
      break;
    case RedisHealth::kConnected:
      body += "; redis connected";
      break;
    case RedisHealth::kDegraded:
      body += "; redis degraded: serving this node's clients alone";
      break;
  }
  body += '\n';
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
            status, status == 200 ? "OK" : "Service Unavailable", body.size(), body.c_str());
  return status;
}

const char* format_label(v1::Format format) {
  switch (format) {
    case v1::FORMAT_WEBP:
      return "webp";
    case v1::FORMAT_WEBP_ANIMATED:
      return "webp_animated";
    case v1::FORMAT_TGS:
      return "tgs";
    case v1::FORMAT_PNG:
      return "png";
    case v1::FORMAT_WEBM:
      return "webm";
    default:
      return "other";
  }
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The label value of an error code ("ok", "queue_full", ...), lower case.
std::string code_label(v1::ErrorCode code) {
  std::string name = v1::ErrorCode_IsValid(code) ? v1::ErrorCode_Name(code) : "INTERNAL";
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      active_workers_(single(BuildGauge(), *registry_, "bot_worker_pool_active_workers",
                             "Worker processes alive and READY (idle or busy).")),
      queue_size_(single(BuildGauge(), *registry_, "bot_worker_pool_queue_size",
                         "Tasks waiting in the queue for a worker.")),
      task_duration_(family(BuildHistogram(), *registry_, "bot_worker_task_duration_seconds",
                            "Time from handing a task to a worker until its answer, by status.")),
      tasks_completed_(single(BuildCounter(), *registry_, "bot_worker_tasks_completed_total",
                              "Tasks a worker answered, with a sticker or an error.")),
      workers_configured_(single(BuildGauge(), *registry_, "stickerd_workers_configured",
                                 "Worker slots the pool is configured to keep running.")),
      workers_busy_(single(BuildGauge(), *registry_, "stickerd_workers_busy",
                           "Workers rendering a task right now.")),
      queue_capacity_(single(BuildGauge(), *registry_, "stickerd_queue_capacity",
                             "Tasks the queue holds before new ones get QUEUE_FULL.")),
      connections_(single(BuildGauge(), *registry_, "stickerd_client_connections",
                          "Open client connections.")),
      queue_wait_(family(BuildHistogram(), *registry_, "stickerd_queue_wait_seconds",
                         "Time a task waited in the queue before a worker took it.")
                      .Add({}, kWaitBuckets)),
      requests_(family(BuildCounter(), *registry_, "stickerd_requests_total",
                       "Final replies to render requests, by code (ok or the error code).")),
      rejections_(family(BuildCounter(), *registry_, "stickerd_rejections_total",
                         "Requests refused at admission, by reason.")),
      restarts_(family(BuildCounter(), *registry_, "stickerd_worker_restarts_total",
                       "Worker processes replaced, by reason.")),
      slot_tasks_(
          family(BuildCounter(), *registry_, "stickerd_worker_tasks_completed_total",
                 "Tasks answered, by worker slot (a slot keeps its number across restarts).")),
      render_(family(BuildHistogram(), *registry_, "stickerd_render_duration_seconds",
                     "Render time inside the worker, by output format.")),
      output_bytes_(family(BuildHistogram(), *registry_, "stickerd_output_bytes",
                           "Size of a finished sticker file.")
                        .Add({}, kByteBuckets)),
      worker_rss_(family(BuildGauge(), *registry_, "stickerd_worker_resident_memory_bytes",
                         "Resident memory of the worker in each slot.")),
      worker_startup_(family(BuildHistogram(), *registry_, "stickerd_worker_startup_seconds",
                             "Time from spawning a worker until it said READY.")
                          .Add({}, kStartupBuckets)),
      cache_hits_(single(BuildCounter(), *registry_, "stickerd_cache_hits_total",
                         "Render requests answered from the result cache, without a worker.")),
      cache_misses_(single(BuildCounter(), *registry_, "stickerd_cache_misses_total",
                           "Result cache lookups that found nothing.")),
      cache_evictions_(
          single(BuildCounter(), *registry_, "stickerd_cache_evictions_total",
                 "Cache entries dropped (least recently used) to stay within the byte budget.")),
      cache_bytes_(
          single(BuildGauge(), *registry_, "stickerd_cache_bytes",
                 "Bytes the result cache's entries are charged (stickers plus bookkeeping).")),
      cache_entries_(single(BuildGauge(), *registry_, "stickerd_cache_entries",
                            "Stickers held in the result cache.")),
      flight_joins_(single(BuildCounter(), *registry_, "stickerd_single_flight_joins_total",
                           "Requests that joined an identical render already in flight instead of "
                           "rendering again.")),
      disk_hits_(single(BuildCounter(), *registry_, "stickerd_disk_cache_hits_total",
                        "Render requests answered from the disk cache, without a worker.")),
      disk_misses_(single(BuildCounter(), *registry_, "stickerd_disk_cache_misses_total",
                          "Memory cache misses the disk cache could not answer either.")),
      disk_refused_(single(BuildCounter(), *registry_, "stickerd_disk_cache_refused_total",
                           "Disk cache entries that failed their checksum or could not be read: "
                           "deleted and rendered again.")),
      disk_evictions_(single(BuildCounter(), *registry_, "stickerd_disk_cache_evictions_total",
                             "Disk cache entries dropped to stay within its byte budget.")),
      disk_writes_(single(BuildCounter(), *registry_, "stickerd_disk_cache_writes_total",
                          "Rendered stickers stored in the disk cache.")),
      disk_write_errors_(single(BuildCounter(), *registry_,
                                "stickerd_disk_cache_write_errors_total",
                                "Disk cache writes that failed (disk full, I/O error); the disk "
                                "cache then stops writing until a restart.")),
      disk_dropped_writes_(
          single(BuildCounter(), *registry_, "stickerd_disk_cache_dropped_writes_total",
                 "Rendered stickers not written to the disk cache: its write backlog was full "
                 "or it had stopped writing.")),
      disk_refreshed_(single(BuildCounter(), *registry_, "stickerd_disk_cache_refreshed_total",
                             "Popular stickers loaded back from the disk cache into memory "
                             "after memory evicted them.")),
      disk_bytes_(single(BuildGauge(), *registry_, "stickerd_disk_cache_bytes",
                         "Bytes of its budget the disk cache's entries are charged.")),
      disk_entries_(single(BuildGauge(), *registry_, "stickerd_disk_cache_entries",
                           "Stickers held in the disk cache.")),
      disk_writable_(single(BuildGauge(), *registry_, "stickerd_disk_cache_writable",
                            "1 while the disk cache is open and writing, else 0.")),
      scale_events_(family(
          BuildCounter(), *registry_, "stickerd_pool_scale_events_total",
          "Dynamic pool sizing decisions, by direction (up: a worker added, down: one retired).")),
      redis_up_(family(BuildGauge(), *registry_, "stickerd_redis_up",
                       "Cluster mode: 1 while the link to Redis answers, 0 while the node is "
                       "degraded (serving its own clients alone). Absent on a single node.")),
      redis_cache_lookups_(family(BuildCounter(), *registry_, "stickerd_redis_cache_lookups_total",
                                  "Cluster mode: lookups in the Redis cache tier (after memory "
                                  "and disk missed), by result (hit, miss). Absent on a single "
                                  "node.")),
      cluster_nodes_(family(BuildGauge(), *registry_, "stickerd_cluster_nodes",
                            "Cluster mode: live nodes in the node registry, as this node last "
                            "read it. Absent on a single node.")),
      cluster_depth_(family(BuildGauge(), *registry_, "stickerd_cluster_stream_depth",
                            "Cluster mode: entries in each task stream (XLEN), by priority "
                            "class: waiting for a node or being rendered.")),
      cluster_pending_(family(BuildGauge(), *registry_, "stickerd_cluster_pending",
                              "Cluster mode: entries of each task stream delivered to a node "
                              "and not yet acknowledged, by priority class.")),
      cluster_lag_(family(BuildGauge(), *registry_, "stickerd_cluster_lag",
                          "Cluster mode: entries of each task stream not yet delivered to any "
                          "node, by priority class (left as it was when Redis cannot tell).")),
      cluster_reclaimed_(family(BuildCounter(), *registry_, "stickerd_cluster_reclaimed_total",
                                "Cluster mode: task entries this node took over from a node "
                                "that stopped renewing their lease (XAUTOCLAIM).")),
      cluster_dead_lettered_(
          family(BuildCounter(), *registry_, "stickerd_cluster_dead_lettered_total",
                 "Cluster mode: task entries this node put on the dead-letter stream "
                 "(delivered more than --max-retries + 1 times, or killed that many workers).")),
      build_info_(family(BuildGauge(), *registry_, "stickerd_build_info",
                         "Always 1; the labels say which build is running.")
                      .Add({{"version", STICKERD_VERSION}})),
      start_time_(single(BuildGauge(), *registry_, "stickerd_start_time_seconds",
                         "When the daemon started, in seconds since the Unix epoch.")) {
  build_info_.Set(1);
  start_time_.Set(unix_now());
  precreate_series();
}

// The label values a dashboard expects, so a series exists at 0 before its
// first event and rate() has a starting point.
void Metrics::precreate_series() {
  for (const char* status : {"success", "error"})
    task_duration_.Add({{"status", status}}, kSecondsBuckets);
  for (auto reason : {ExitReason::kCrash, ExitReason::kSandbox, ExitReason::kDeadline,
                      ExitReason::kRecycle, ExitReason::kMemory}) {
    restarts_.Add({{"reason", exit_reason_label(reason)}});
  }
  for (auto code : {v1::QUEUE_FULL, v1::INVALID_ARGUMENT, v1::UNKNOWN_STYLE, v1::TEXT_TOO_LONG,
                    v1::SHUTTING_DOWN}) {
    rejections_.Add({{"reason", code_label(code)}});
  }
  requests_.Add({{"code", "ok"}});
  for (const char* direction : {"up", "down"}) scale_events_.Add({{"direction", direction}});
  for (auto format : {v1::FORMAT_WEBP, v1::FORMAT_WEBP_ANIMATED, v1::FORMAT_TGS, v1::FORMAT_PNG,
                      v1::FORMAT_WEBM}) {
    render_.Add({{"format", format_label(format)}}, kSecondsBuckets);
  }
}

Metrics::~Metrics() = default;

std::optional<Error> Metrics::expose(const std::string& address) {
  auto callbacks = std::make_unique<CivetCallbacks>();
  callbacks->begin_request = answer_health;
  try {
    // CivetWeb gives each connection a thread until its request is read, so a
    // client that connects and stalls holds one for request_timeout_ms. Enough
    // threads (and an accept queue as deep) and a short timeout keep hundreds
    // of slow or silent clients from blinding the scrapes; a scrape on
    // loopback sends its whole request at once.
    std::vector<std::string> options{"listening_ports",    address,
                                     "num_threads",        std::to_string(kHttpThreads),
                                     "request_timeout_ms", std::to_string(kHttpRequestTimeoutMs),
                                     "connection_queue",   std::to_string(kHttpThreads),
                                     "listen_backlog",     std::to_string(kHttpThreads),
                                     "linger_timeout_ms",  "0",
                                     "enable_keep_alive",  "no"};
    exposer_ = std::make_unique<prometheus::Exposer>(std::move(options), callbacks.get());
  } catch (const std::exception& e) {
    return make_error(v1::INTERNAL,
                      fmt::format("metrics: cannot listen on {}: {}", address, e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  return std::nullopt;
}

int Metrics::port() const {
  if (!exposer_) return 0;
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::sample(const PoolSample& pool) {
  active_workers_.Set(pool.ready_workers);
  queue_size_.Set(static_cast<double>(pool.queue_size));
  workers_configured_.Set(pool.total_workers);
  workers_busy_.Set(pool.busy_workers);
  queue_capacity_.Set(static_cast<double>(pool.queue_capacity));
  connections_.Set(static_cast<double>(pool.connections));
  g_ready_workers.store(pool.ready_workers, std::memory_order_relaxed);
}

void Metrics::queue_wait(double seconds) { queue_wait_.Observe(seconds); }

void Metrics::task_finished(bool ok, double seconds, const v1::Sticker* sticker) {
  tasks_completed_.Increment();
  task_duration_by_ok_
      .at(
          ok,
          [&] {
            return prometheus::Labels{{"status", ok ? "success" : "error"}};
          },
          kSecondsBuckets)
      .Observe(seconds);
  if (sticker == nullptr) return;
  const unsigned slot = sticker->worker_slot();
  slot_tasks_by_slot_.at(slot,
                         [&] {
                           return prometheus::Labels{{"slot", std::to_string(slot)}};
                         })
      .Increment();
  const v1::Format format = sticker->format();
  render_by_format_
      .at(
          format,
          [&] {
            return prometheus::Labels{{"format", format_label(format)}};
          },
          kSecondsBuckets)
      .Observe(sticker->render_us() / 1e6);
  output_bytes_.Observe(static_cast<double>(sticker->data().size()));
}

void Metrics::request_finished(v1::ErrorCode code) {
  requests_by_code_
      .at(code,
          [&] {
            return prometheus::Labels{
                {"code", code == v1::OK ? std::string("ok") : code_label(code)}};
          })
      .Increment();
}

void Metrics::rejected(v1::ErrorCode reason) {
  rejections_by_reason_
      .at(reason,
          [&] {
            return prometheus::Labels{{"reason", code_label(reason)}};
          })
      .Increment();
}

void Metrics::workers_replaced(ExitReason reason, std::uint64_t count) {
  restarts_.Add({{"reason", exit_reason_label(reason)}}).Increment(static_cast<double>(count));
}

void Metrics::worker_rss(unsigned slot, double bytes) {
  worker_rss_.Add({{"slot", std::to_string(slot)}}).Set(bytes);
}

void Metrics::worker_started(double seconds) { worker_startup_.Observe(seconds); }

void Metrics::cache(const CacheCounts& counts, std::uint64_t flight_joins) {
  advance(cache_hits_, counts.hits, cache_seen_.hits);
  advance(cache_misses_, counts.misses, cache_seen_.misses);
  advance(cache_evictions_, counts.evictions, cache_seen_.evictions);
  advance(flight_joins_, flight_joins, flight_joins_seen_);
  cache_bytes_.Set(static_cast<double>(counts.bytes));
  cache_entries_.Set(static_cast<double>(counts.entries));
}

void Metrics::disk_cache(const DiskCacheCounts& counts) {
  advance(disk_hits_, counts.hits, disk_seen_.hits);
  advance(disk_misses_, counts.misses, disk_seen_.misses);
  advance(disk_refused_, counts.refused, disk_seen_.refused);
  advance(disk_evictions_, counts.evictions, disk_seen_.evictions);
  advance(disk_writes_, counts.writes, disk_seen_.writes);
  advance(disk_write_errors_, counts.write_errors, disk_seen_.write_errors);
  advance(disk_dropped_writes_, counts.dropped_writes, disk_seen_.dropped_writes);
  advance(disk_refreshed_, counts.refreshed, disk_seen_.refreshed);
  disk_bytes_.Set(static_cast<double>(counts.bytes));
  disk_entries_.Set(static_cast<double>(counts.entries));
  disk_writable_.Set(counts.writable ? 1 : 0);
}

void Metrics::pool_scaled(bool up) {
  scale_events_.Add({{"direction", up ? "up" : "down"}}).Increment();
}

void Metrics::redis_up(bool up) {
  redis_up_.Add({}).Set(up ? 1 : 0);
  // Cluster mode: its counters are scraped from the start, at 0.
  cluster_reclaimed_.Add({});
  cluster_dead_lettered_.Add({});
  g_redis.store(up ? RedisHealth::kConnected : RedisHealth::kDegraded, std::memory_order_relaxed);
}

void Metrics::redis_cache(std::uint64_t hits, std::uint64_t misses) {
  advance(redis_cache_lookups_.Add({{"result", "hit"}}), hits, redis_cache_hits_seen_);
  advance(redis_cache_lookups_.Add({{"result", "miss"}}), misses, redis_cache_misses_seen_);
}

void Metrics::cluster(const v1::ClusterReport& report) {
  cluster_nodes_.Add({}).Set(report.nodes_size());
  // The label values come from a closed set: the daemon's own stream names.
  for (const v1::ClusterStream& s : report.streams()) {
    const prometheus::Labels labels{{"priority", s.priority()}};
    cluster_depth_.Add(labels).Set(static_cast<double>(s.depth()));
    cluster_pending_.Add(labels).Set(static_cast<double>(s.pending()));
    if (s.lag_known()) cluster_lag_.Add(labels).Set(static_cast<double>(s.lag()));
  }
}

void Metrics::cluster_reclaimed() { cluster_reclaimed_.Add({}).Increment(); }

void Metrics::cluster_dead_lettered() { cluster_dead_lettered_.Add({}).Increment(); }

std::string Metrics::serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace stickerd
