// ConfigReload: which differences a reload applies live, which wait for a
// restart, and that applying live changes leaves restart-only ones alone.
#include "master/config/config_reload.h"

#include <doctest/doctest.h>

#include "master/config/config.h"

namespace stickerd {
namespace {

const ConfigDefaults kDefaults{4, "/run/s.sock", "/styles", "/cache"};

// The configuration parse_config builds from `flags`, as the daemon would.
Config parsed(std::vector<std::string_view> flags) {
  auto invocation = parse_config(flags, Environment{}, kDefaults);
  REQUIRE(invocation);
  return invocation->config;
}

const ConfigChange* find(const std::vector<ConfigChange>& changes, std::string_view key) {
  for (const auto& c : changes) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("an unchanged configuration has no changes") {
  const Config c = parsed({"--workers", "2"});
  CHECK(diff_config(c, c).empty());
  CHECK(describe_changes({}) == "configuration unchanged");
}

TEST_CASE("pool size, queue, deadlines, retries, drain grace and client limits apply live") {
  const Config running = parsed({"--workers", "1"});
  const Config loaded = parsed({"--workers",
                                "2",
                                "--queue-size",
                                "7",
                                "--deadline-ms",
                                "500",
                                "--max-retries",
                                "0",
                                "--drain-grace-ms",
                                "9",
                                "--max-connections",
                                "3",
                                "--max-inflight",
                                "4",
                                "--max-write-buffer-mb",
                                "5",
                                "--max-text-length",
                                "6",
                                "--cache-mb",
                                "8",
                                "--max-connections-per-uid",
                                "2",
                                "--idle-timeout-ms",
                                "700"});
  const auto changes = diff_config(running, loaded);
  for (std::string_view key :
       {"workers", "queue_size", "deadline_ms", "max_retries", "drain_grace_ms", "max_connections",
        "max_inflight", "max_write_buffer_mb", "max_text_length", "cache_mb",
        "max_connections_per_uid", "idle_timeout_ms"}) {
    INFO(key);
    const ConfigChange* c = find(changes, key);
    REQUIRE(c != nullptr);
    CHECK(c->live);
  }
  // A fixed pool's bounds follow workers: not reported on their own.
  CHECK(find(changes, "min_workers") == nullptr);
  CHECK(find(changes, "max_workers") == nullptr);
  CHECK(changes.size() == 12);

  const Config applied = apply_live(running, loaded);
  CHECK(applied.workers == 2);
  CHECK(applied.min_workers == 2);
  CHECK(applied.max_workers == 2);
  CHECK(applied.queue_size == 7);
  CHECK(applied.deadline_ms == 500);
  CHECK(applied.max_retries == 0);
  CHECK(applied.cache_mb == 8);
  CHECK(diff_config(applied, loaded).empty());
}

TEST_CASE("sockets, the metrics address, the control group and worker settings need a restart") {
  const Config running = parsed({"--workers", "1"});
  const Config loaded = parsed({"--workers",
                                "1",
                                "--socket",
                                "/other.sock",
                                "--metrics-address",
                                "127.0.0.1:1",
                                "--control-group",
                                "ops",
                                "--control-socket",
                                "/c.sock",
                                "--enable-test-styles",
                                "--styles",
                                "/elsewhere",
                                "--max-frame-bytes",
                                "99",
                                "--poison-ttl-s",
                                "5",
                                "--max-tasks-per-worker",
                                "5",
                                "--max-worker-rss-mb",
                                "5",
                                "--worker-binary",
                                "/w"});
  const auto changes = diff_config(running, loaded);
  CHECK(changes.size() == 11);
  for (const auto& c : changes) {
    INFO(c.key);
    CHECK_FALSE(c.live);
  }
  const ConfigChange* metrics = find(changes, "metrics_address");
  REQUIRE(metrics != nullptr);
  CHECK(metrics->before == "127.0.0.1:9464");
  CHECK(metrics->after == "127.0.0.1:1");
  CHECK(describe_changes({*metrics}) ==
        "configuration: metrics_address 127.0.0.1:9464 -> 127.0.0.1:1 (needs a restart)");

  const Config applied = apply_live(running, loaded);
  CHECK(applied.socket_path == running.socket_path);
  CHECK(applied.metrics_address == running.metrics_address);
  CHECK(applied.control_group.empty());
  CHECK_FALSE(applied.enable_test_styles);
  // Still pending on the next reload: nothing was applied.
  CHECK(diff_config(applied, loaded).size() == 11);
}

TEST_CASE("a dynamic pool's size and bounds, and turning the cache on or off, need a restart") {
  const Config fixed = parsed({"--workers", "2"});
  const Config dynamic = parsed({"--workers", "2", "--min-workers", "1", "--max-workers", "4"});
  const auto to_dynamic = diff_config(fixed, dynamic);
  REQUIRE(find(to_dynamic, "min_workers") != nullptr);
  CHECK_FALSE(find(to_dynamic, "min_workers")->live);
  CHECK_FALSE(find(to_dynamic, "max_workers")->live);
  CHECK(apply_live(fixed, dynamic).max_workers == 2);

  const Config bigger = parsed({"--workers", "3", "--min-workers", "1", "--max-workers", "4"});
  REQUIRE(find(diff_config(dynamic, bigger), "workers") != nullptr);
  CHECK_FALSE(find(diff_config(dynamic, bigger), "workers")->live);
  CHECK(apply_live(dynamic, bigger).workers == 2);

  const Config no_cache = parsed({"--workers", "2", "--cache-mb", "0"});
  REQUIRE(find(diff_config(fixed, no_cache), "cache_mb") != nullptr);
  CHECK_FALSE(find(diff_config(fixed, no_cache), "cache_mb")->live);
  CHECK(apply_live(fixed, no_cache).cache_mb == fixed.cache_mb);
}

TEST_CASE("the description names every change and whether it applied") {
  const Config running = parsed({"--workers", "1"});
  const Config loaded = parsed({"--workers", "2", "--metrics-address", "none"});
  CHECK(describe_changes(diff_config(running, loaded)) ==
        "configuration: workers 1 -> 2 (applied); metrics_address 127.0.0.1:9464 -> (none) "
        "(needs a restart)");
}

}  // namespace stickerd

namespace stickerd {

// A reply lists the pool and the cache first, then the settings that apply
// live, then those that wait for a restart, each group in --help's order.
TEST_CASE("a reload with many changes lists them in a fixed order") {
  const Config running = parsed({"--workers", "1"});
  const Config fixed = parsed({"--workers",
                               "2",
                               "--scale-idle-ms",
                               "5",
                               "--control-group",
                               "ops",
                               "--control-socket",
                               "/c.sock",
                               "--metrics-address",
                               "none",
                               "--enable-test-styles",
                               "--max-tasks-per-worker",
                               "7",
                               "--socket",
                               "/s",
                               "--max-request-buffer-mb",
                               "3",
                               "--deadline-ms",
                               "9",
                               "--queue-size",
                               "4",
                               "--cache-mb",
                               "8",
                               "--max-retries",
                               "0"});
  CHECK(
      describe_changes(diff_config(running, fixed)) ==
      "configuration: workers 1 -> 2 (applied); cache_mb 64 -> 8 (applied); queue_size 100 -> 4 "
      "(applied); deadline_ms 10000 -> 9 (applied); max_retries 1 -> 0 (applied); "
      "max_request_buffer_mb 32 -> 3 (applied); socket /run/s.sock -> /s (needs a restart); "
      "max_tasks_per_worker 1000 -> 7 (needs a restart); enable_test_styles false -> true (needs a "
      "restart); metrics_address 127.0.0.1:9464 -> (none) (needs a restart); control_socket (none) "
      "-> /c.sock (needs a restart); control_group (none) -> ops (needs a restart); scale_idle_ms "
      "30000 -> 5 (needs a restart)");
  const Config dynamic = parsed({"--workers", "2", "--min-workers", "1", "--max-workers", "4",
                                 "--cache-mb", "0", "--max-inflight", "3", "--styles", "/st"});
  CHECK(
      describe_changes(diff_config(running, dynamic)) ==
      "configuration: workers 1 -> 2 (needs a restart); max_workers 1 -> 4 (needs a restart); "
      "cache_mb 64 -> 0 (needs a restart); max_inflight 256 -> 3 (applied); styles /styles -> /st "
      "(needs a restart)");
}

}  // namespace stickerd
