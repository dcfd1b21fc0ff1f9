#include "master/ops/metrics.h"

#include <doctest/doctest.h>

#include "master/ops/operations.h"

namespace stickerd {

TEST_CASE("metrics address: HOST:PORT, or empty/none to disable") {
  CHECK(parse_metrics_address("127.0.0.1:9464").value() == "127.0.0.1:9464");
  CHECK(parse_metrics_address("[::1]:0").value() == "[::1]:0");
  CHECK_FALSE(parse_metrics_address("").value().has_value());
  CHECK_FALSE(parse_metrics_address("none").value().has_value());
  CHECK_FALSE(parse_metrics_address("localhost"));
  CHECK_FALSE(parse_metrics_address("host:99999"));
  CHECK_FALSE(parse_metrics_address(":9464"));
  CHECK_FALSE(parse_metrics_address("nonsense"));
  CHECK_FALSE(parse_metrics_address("127.0.0.1:abc"));
  CHECK_FALSE(parse_metrics_address("127.0.0.1:"));
  CHECK_FALSE(parse_metrics_address("127.0.0.1:-1"));
  CHECK_FALSE(parse_metrics_address("::1:9464"));  // IPv6 needs brackets
  CHECK(parse_metrics_address("127.0.0.1:65535").value() == "127.0.0.1:65535");
}

TEST_CASE("cache metrics advance by what changed between two totals") {
  Metrics m;
  m.cache({.hits = 2, .misses = 3, .evictions = 0, .bytes = 1000, .entries = 3}, 1);
  m.cache({.hits = 5, .misses = 4, .evictions = 1, .bytes = 800, .entries = 2}, 1);
  const std::string text = m.serialize();
  CHECK(text.find("stickerd_cache_hits_total 5\n") != std::string::npos);
  CHECK(text.find("stickerd_cache_misses_total 4\n") != std::string::npos);
  CHECK(text.find("stickerd_cache_evictions_total 1\n") != std::string::npos);
  CHECK(text.find("stickerd_cache_bytes 800\n") != std::string::npos);
  CHECK(text.find("stickerd_cache_entries 2\n") != std::string::npos);
  CHECK(text.find("stickerd_single_flight_joins_total 1\n") != std::string::npos);
}

TEST_CASE("stickerd_redis_up exists only in cluster mode and follows the link") {
  Metrics m;
  CHECK(m.serialize().find("stickerd_redis_up ") == std::string::npos);
  m.redis_up(false);
  CHECK(m.serialize().find("stickerd_redis_up 0\n") != std::string::npos);
  m.redis_up(true);
  CHECK(m.serialize().find("stickerd_redis_up 1\n") != std::string::npos);
}

TEST_CASE("Redis cache lookups count by result, only in cluster mode") {
  Metrics m;
  CHECK(m.serialize().find("stickerd_redis_cache_lookups_total{") == std::string::npos);
  m.redis_cache(2, 5);
  m.redis_cache(3, 5);
  const std::string text = m.serialize();
  CHECK(text.find("stickerd_redis_cache_lookups_total{result=\"hit\"} 3\n") != std::string::npos);
  CHECK(text.find("stickerd_redis_cache_lookups_total{result=\"miss\"} 5\n") != std::string::npos);
}

TEST_CASE("cluster metrics exist only in cluster mode, one series per priority class") {
  Metrics m;
  CHECK(m.serialize().find("stickerd_cluster_") == std::string::npos);
  v1::ClusterReport report;
  report.add_nodes()->set_name("a");
  report.add_nodes()->set_name("b");
  v1::ClusterStream* interactive = report.add_streams();
  interactive->set_priority("interactive");
  interactive->set_depth(7);
  interactive->set_pending(2);
  interactive->set_lag(5);
  interactive->set_lag_known(true);
  v1::ClusterStream* batch = report.add_streams();
  batch->set_priority("batch");
  batch->set_depth(1);
  m.cluster(report);
  const std::string text = m.serialize();
  CHECK(text.find("stickerd_cluster_nodes 2\n") != std::string::npos);
  CHECK(text.find("stickerd_cluster_stream_depth{priority=\"interactive\"} 7\n") !=
        std::string::npos);
  CHECK(text.find("stickerd_cluster_pending{priority=\"interactive\"} 2\n") != std::string::npos);
  CHECK(text.find("stickerd_cluster_lag{priority=\"interactive\"} 5\n") != std::string::npos);
  CHECK(text.find("stickerd_cluster_stream_depth{priority=\"batch\"} 1\n") != std::string::npos);
  CHECK(text.find("stickerd_cluster_lag{priority=\"batch\"}") == std::string::npos);  // unknown
}

TEST_CASE("disk cache metrics advance by what changed and report whether it writes") {
  Metrics m;
  m.disk_cache(
      {.hits = 1, .misses = 2, .writes = 3, .bytes = 4096, .entries = 3, .writable = true});
  m.disk_cache({.hits = 4,
                .misses = 2,
                .refused = 1,
                .evictions = 2,
                .writes = 5,
                .write_errors = 1,
                .dropped_writes = 6,
                .bytes = 8192,
                .entries = 2,
                .refreshed = 3});
  const std::string text = m.serialize();
  CHECK(text.find("stickerd_disk_cache_hits_total 4\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_misses_total 2\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_refused_total 1\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_evictions_total 2\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_writes_total 5\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_write_errors_total 1\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_dropped_writes_total 6\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_refreshed_total 3\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_bytes 8192\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_entries 2\n") != std::string::npos);
  CHECK(text.find("stickerd_disk_cache_writable 0\n") != std::string::npos);
}

TEST_CASE("scale events count by direction and warm-up times land in the histogram") {
  Metrics m;
  m.pool_scaled(true);
  m.pool_scaled(true);
  m.pool_scaled(false);
  m.worker_started(0.2);
  const std::string text = m.serialize();
  CHECK(text.find("stickerd_pool_scale_events_total{direction=\"up\"} 2\n") != std::string::npos);
  CHECK(text.find("stickerd_pool_scale_events_total{direction=\"down\"} 1\n") != std::string::npos);
  CHECK(text.find("stickerd_worker_startup_seconds_count 1\n") != std::string::npos);
  CHECK(text.find("stickerd_worker_startup_seconds_bucket{le=\"0.25\"} 1\n") != std::string::npos);
  CHECK(text.find("stickerd_worker_startup_seconds_bucket{le=\"0.1\"} 0\n") != std::string::npos);
}

TEST_CASE("metrics record a finished task under the original and the new names") {
  Metrics m;
  v1::Sticker sticker;
  sticker.set_format(v1::FORMAT_PNG);
  sticker.set_render_us(2000);
  sticker.set_worker_slot(1);
  sticker.set_data(std::string(5000, 'x'));
  m.task_finished(true, 0.003, &sticker);
  m.task_finished(false, 0.010, nullptr);
  m.rejected(v1::QUEUE_FULL);
  m.sample({.total_workers = 2, .ready_workers = 2, .busy_workers = 1, .queue_size = 3});
  const std::string text = m.serialize();
  CHECK(text.find("bot_worker_tasks_completed_total 2") != std::string::npos);
  CHECK(text.find("bot_worker_task_duration_seconds_count{status=\"success\"} 1") !=
        std::string::npos);
  CHECK(text.find("bot_worker_task_duration_seconds_count{status=\"error\"} 1") !=
        std::string::npos);
  CHECK(text.find("stickerd_worker_tasks_completed_total{slot=\"1\"} 1") != std::string::npos);
  CHECK(text.find("stickerd_render_duration_seconds_count{format=\"png\"} 1") != std::string::npos);
  CHECK(text.find("stickerd_rejections_total{reason=\"queue_full\"} 1") != std::string::npos);
  CHECK(text.find("bot_worker_pool_queue_size 3") != std::string::npos);
  CHECK(text.find("bot_worker_pool_active_workers 2") != std::string::npos);
}

TEST_CASE("the systemd STATUS line names the live figures") {
  PoolSnapshot s;
  s.pool = {.total_workers = 4, .ready_workers = 3, .busy_workers = 2, .queue_size = 5};
  s.tasks_completed = 10;
  s.exits.add(ExitReason::kCrash);
  CHECK(status_text(s) == "3/4 workers ready, 2 busy, 5 queued, 10 tasks done, 1 restarts");
}

TEST_CASE("READY=1 waits for every worker and for the disk cache's start preload") {
  PoolSnapshot s;
  s.pool = {.total_workers = 2, .ready_workers = 1};
  CHECK_FALSE(ready_to_announce(s));
  s.pool.ready_workers = 2;
  CHECK(ready_to_announce(s));
  s.cache_warming = true;  // popular stickers still on their way into memory
  CHECK_FALSE(ready_to_announce(s));
  s = {};  // no workers at all is not ready
  CHECK_FALSE(ready_to_announce(s));
}

}  // namespace stickerd
