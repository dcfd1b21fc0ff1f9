// The Prometheus endpoint: values checked against the traffic a test sent,
// /health, promtool's linter, and a real Prometheus scraping the daemon.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <fstream>
#include <functional>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "common/unique_fd.h"
#include "tests/integration/harness.h"
#include "tests/integration/ops_support.h"

namespace stickerd::itest {
namespace {

DaemonOptions with_metrics(unsigned workers) {
  DaemonOptions o;
  o.workers = workers;
  o.extra_args = {"--metrics-address", "127.0.0.1:0"};
  return o;
}

// Renders `count` unique texts on one connection and checks every reply.
void render_some(const Daemon& daemon, int count, std::string_view prefix) {
  Client client(daemon.socket_path());
  for (int id = 1; id <= count; ++id) client.send(render_request(id, unique_text(prefix)));
  for (int i = 0; i < count; ++i) {
    const v1::Reply reply = client.receive(60s);
    CHECK_MESSAGE(reply.has_sticker(), describe(reply));
  }
}

int free_tcp_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw HarnessError("cannot find a free TCP port");
  }
  return ntohs(addr.sin_port);
}

std::string source_root() { return binary_path("STICKERD_SOURCE_ROOT"); }

// The next scrape that satisfies `done`, or the last one seen when none does
// within the time (the CHECKs that follow then say what is off).
std::string scrape_until(int port, const std::function<bool(const std::string&)>& done) {
  std::string text;
  wait_until(
      [&] {
        auto r = http_get(port, "/metrics");
        if (!r || r->status != 200) return false;
        text = r->body;
        return done(text);
      },
      30s);
  return text;
}

double value_or_zero(const std::string& text, const std::string& series) {
  return sample_value(text, series).value_or(0);
}

// promtool's linter accepts the exposition, when promtool is installed.
void check_promtool(const Daemon& daemon, const std::string& text) {
  if (!have_program("promtool")) {
    MESSAGE("promtool not installed (Debian package prometheus): lint skipped");
    return;
  }
  const std::string file = daemon.dir() + "/scrape.txt";
  std::ofstream(file) << text;
  const ShellRun lint = run_shell("promtool check metrics < " + file, daemon.dir());
  INFO(lint.output);
  CHECK(lint.exit_code == 0);
}

}  // namespace

TEST_CASE("/metrics reports the tasks a client sent under the original bot's names") {
  auto daemon = start_daemon(with_metrics(2));
  const int port = metrics_port(*daemon);
  constexpr int kRenders = 6;
  render_some(*daemon, kRenders, "metrics");
  {
    Client client(daemon->socket_path());
    const v1::Reply refused = client.call(render_request(100, unique_text("m"), "no-such-style"));
    CHECK(refused.has_error());
  }

  std::string text;
  const bool settled = wait_until(
      [&] {
        auto r = http_get(port, "/metrics");
        if (!r || r->status != 200) return false;
        text = r->body;
        // Per-slot RSS comes with the next heartbeat (once a second).
        return sample_value(text, "bot_worker_tasks_completed_total") == kRenders &&
               sample_value(text, "bot_worker_pool_active_workers") == 2 &&
               text.find("stickerd_worker_resident_memory_bytes{slot=\"0\"}") != std::string::npos;
      },
      15s);
  INFO(text);
  REQUIRE(settled);
  CHECK(sample_value(text, "bot_worker_pool_queue_size") == 0);
  CHECK(sample_value(text, R"(bot_worker_task_duration_seconds_count{status="success"})") ==
        kRenders);
  CHECK(sample_value(text, R"(bot_worker_task_duration_seconds_count{status="error"})") == 0);
  CHECK(sample_value(text, R"(stickerd_requests_total{code="ok"})") == kRenders);
  CHECK(sample_value(text, R"(stickerd_rejections_total{reason="unknown_style"})") == 1);
  CHECK(sample_value(text, "stickerd_queue_wait_seconds_count") == kRenders);
  CHECK(sample_value(text, "stickerd_output_bytes_count") == kRenders);
  CHECK(sample_value(text, "stickerd_workers_configured") == 2);
  CHECK(sample_value(text, R"(stickerd_worker_restarts_total{reason="crash"})") == 0);
  CHECK(text.find("stickerd_build_info{version=") != std::string::npos);

  const auto health = http_get(port, "/health");
  REQUIRE(health.has_value());
  CHECK(health->status == 200);
  CHECK(health->body.find("2 workers ready") != std::string::npos);

  check_promtool(*daemon, text);
}

TEST_CASE("cache, single-flight, pool scaling and worker warm-up metrics follow real traffic") {
  DaemonOptions options = with_metrics(1);
  // A 1 MiB cache holds about five animated stickers: ten of them evict. Ten
  // animations queue behind one worker, longer than the default 10 s deadline
  // on a busy machine under ASan; deadlines are not under test here.
  options.extra_args.insert(options.extra_args.end(),
                            {"--cache-mb", "1", "--min-workers", "1", "--max-workers", "2",
                             "--scale-idle-ms", "300", "--deadline-ms", "120000"});
  auto daemon = start_daemon(options);
  const int port = metrics_port(*daemon);
  const std::string start = scrape_until(port, [](const std::string& t) {
    return value_or_zero(t, "stickerd_worker_startup_seconds_count") == 1;
  });
  CHECK(value_or_zero(start, "stickerd_worker_startup_seconds_count") == 1);
  CHECK(value_or_zero(start, "stickerd_cache_hits_total") == 0);
  CHECK(value_or_zero(start, R"(stickerd_pool_scale_events_total{direction="up"})") == 0);

  Client client(daemon->socket_path());
  // Animated renders queue behind the one worker long enough to grow the pool.
  constexpr int kAnimated = 10;
  std::string frames;
  for (int id = 1; id <= kAnimated; ++id) {
    v1::Request r = render_request(id, unique_text("evict"), "bounce", v1::FORMAT_WEBP_ANIMATED);
    r.mutable_render()->set_profile(v1::PROFILE_NONE);
    append_frame(r, frames);
  }
  client.send_raw(frames);
  for (int i = 0; i < kAnimated; ++i) {
    const v1::Reply reply = client.receive(120s);
    CHECK_MESSAGE(reply.has_sticker(), describe(reply));
  }
  // A repeated request is a hit.
  const std::string text = unique_text("again");
  for (std::uint64_t id : {100, 101}) {
    const v1::Reply reply = client.call(render_request(id, text, "classic", v1::FORMAT_WEBP), 60s);
    CHECK_MESSAGE(reply.has_sticker(), describe(reply));
  }
  // Identical requests in one write: the later ones join the first's render.
  const std::string shared = unique_text("shared");
  frames.clear();
  for (std::uint64_t id = 200; id < 203; ++id) {
    append_frame(render_request(id, shared, "classic", v1::FORMAT_WEBP), frames);
  }
  client.send_raw(frames);
  for (int i = 0; i < 3; ++i) {
    const v1::Reply reply = client.receive(60s);
    CHECK_MESSAGE(reply.has_sticker(), describe(reply));
  }

  // Idle now: the pool shrinks back to one worker.
  const std::string after = scrape_until(port, [](const std::string& t) {
    return value_or_zero(t, R"(stickerd_pool_scale_events_total{direction="down"})") >= 1 &&
           value_or_zero(t, "stickerd_workers_configured") == 1;
  });
  const v1::Stats stats = daemon->stats();
  INFO(after);
  CHECK(value_or_zero(after, "stickerd_cache_hits_total") >= 1);
  CHECK(value_or_zero(after, "stickerd_cache_hits_total") == stats.cache_hits());
  CHECK(value_or_zero(after, "stickerd_cache_misses_total") >= kAnimated + 2);
  CHECK(value_or_zero(after, "stickerd_cache_misses_total") == stats.cache_misses());
  CHECK(value_or_zero(after, "stickerd_cache_evictions_total") >= 1);
  CHECK(value_or_zero(after, "stickerd_cache_evictions_total") == stats.cache_evictions());
  CHECK(value_or_zero(after, "stickerd_cache_entries") == stats.cache_entries());
  CHECK(value_or_zero(after, "stickerd_cache_bytes") == stats.cache_bytes());
  CHECK(value_or_zero(after, "stickerd_cache_bytes") <= 1024 * 1024);
  CHECK(value_or_zero(after, "stickerd_single_flight_joins_total") >= 1);
  CHECK(value_or_zero(after, "stickerd_single_flight_joins_total") == stats.cache_joined());
  CHECK(value_or_zero(after, R"(stickerd_pool_scale_events_total{direction="up"})") >= 1);
  CHECK(value_or_zero(after, R"(stickerd_pool_scale_events_total{direction="up"})") ==
        stats.pool_grows());
  CHECK(value_or_zero(after, R"(stickerd_pool_scale_events_total{direction="down"})") ==
        stats.pool_shrinks());
  // The first worker and the one the pool grew by both reported their warm-up.
  CHECK(value_or_zero(after, "stickerd_worker_startup_seconds_count") >= 2);
  CHECK(value_or_zero(after, "stickerd_worker_startup_seconds_sum") > 0);
  check_promtool(*daemon, after);
}

TEST_CASE("a worker recycled past its memory limit counts as a restart with reason memory") {
  DaemonOptions options = with_metrics(1);
  options.extra_args.insert(options.extra_args.end(),
                            {"--enable-test-styles", "--max-worker-rss-mb", "150"});
  auto daemon = start_daemon(options);
  const int port = metrics_port(*daemon);
  Client client(daemon->socket_path());
  for (std::uint64_t i = 0; i < 8; ++i) {
    // Each keeps 40 MiB: the worker passes 150 MiB within a few tasks.
    const v1::Reply r =
        client.call(render_request(i + 1, unique_text("40 leak"), "test-leak"), 60s);
    CHECK_MESSAGE(r.has_sticker(), "request ", i + 1, ": ", describe(r));
  }
  // Every recycle the daemon counted shows in the metric, as reason memory.
  std::uint64_t recycled = 0;
  const std::string text = scrape_until(port, [&](const std::string& t) {
    recycled = daemon->stats().recycled_workers();
    return recycled >= 1 &&
           value_or_zero(t, R"(stickerd_worker_restarts_total{reason="memory"})") == recycled;
  });
  INFO(text);
  CHECK(recycled >= 1);
  CHECK(value_or_zero(text, R"(stickerd_worker_restarts_total{reason="memory"})") == recycled);
  CHECK(value_or_zero(text, R"(stickerd_worker_restarts_total{reason="recycle"})") == 0);
  CHECK(value_or_zero(text, R"(stickerd_worker_restarts_total{reason="crash"})") == 0);
}

TEST_CASE("--metrics-address none serves no endpoint and a bad address is refused") {
  auto daemon = start_daemon({.workers = 1});  // the harness passes none
  CHECK(daemon->log().find("metrics on") == std::string::npos);

  TempDir dir;
  ChildProcess bad({binary_path("STICKERD_BIN"), "--socket", dir.path() + "/s.sock",
                    "--metrics-address", "localhost"},
                   {"STICKERD_METRICS_ADDRESS="}, dir.path() + "/log", dir.path() + "/log");
  const auto status = bad.wait_exit(20s);
  REQUIRE(status.has_value());
  CHECK(WEXITSTATUS(*status) != 0);
  CHECK(read_file(dir.path() + "/log").find("--metrics-address") != std::string::npos);
}

TEST_CASE("a real Prometheus scrapes stickerd, loads the alert rules and answers a query") {
  if (!have_program("prometheus")) {
    MESSAGE("SKIPPED: the prometheus binary is not installed (scripts/install-deps installs it)");
    return;
  }
  auto daemon = start_daemon(with_metrics(1));
  const int port = metrics_port(*daemon);
  constexpr int kRenders = 3;
  render_some(*daemon, kRenders, "prometheus");

  TempDir dir;
  const int prom_port = free_tcp_port();
  std::ofstream(dir.path() + "/prometheus.yml") << fmt::format(
      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      "rule_files:\n  - {}/dashboards/alerts.yml\n"
      "scrape_configs:\n  - job_name: stickerd\n    static_configs:\n"
      "      - targets: ['127.0.0.1:{}']\n",
      source_root(), port);
  ChildProcess prometheus(
      {"/usr/bin/prometheus", "--config.file=" + dir.path() + "/prometheus.yml",
       "--storage.tsdb.path=" + dir.path() + "/data",
       fmt::format("--web.listen-address=127.0.0.1:{}", prom_port), "--log.level=warn"},
      {}, dir.path() + "/prometheus.log", dir.path() + "/prometheus.log");

  // Target discovery is batched: the first sample takes ~6 s even at 1 s.
  std::string body;
  const bool answered = wait_until(
      [&] {
        auto r = http_get(
            prom_port,
            "/api/v1/query?query=bot_worker_tasks_completed_total%7Bjob%3D%22stickerd%22%7D");
        if (!r || r->status != 200) return false;
        body = r->body;
        return body.find(fmt::format("\"{}\"]", kRenders)) != std::string::npos;
      },
      60s);
  INFO("last answer: ", body, "\nprometheus log:\n", read_file(dir.path() + "/prometheus.log"));
  CHECK(answered);
  const auto rules = http_get(prom_port, "/api/v1/rules");
  REQUIRE(rules.has_value());
  CHECK(rules->body.find("StickerdNoReadyWorkers") != std::string::npos);
  CHECK(rules->body.find("StickerdWorkerCrashLoop") != std::string::npos);
}

}  // namespace stickerd::itest
