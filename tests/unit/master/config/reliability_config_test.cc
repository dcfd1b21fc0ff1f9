// Unit tests for the reliability settings in master/config and their use in
// admission: defaults, flags, the deadline clamp and the test-style switch.
#include <doctest/doctest.h>

#include "build_config.h"
#include "master/config/config.h"
#include "master/requests/admission.h"

using namespace stickerd;

namespace {

const ConfigDefaults kDefaults{2, "./run/stickerd.sock", "/usr/share/stickerd/styles", "./cache"};

Result<Invocation> parse(std::vector<std::string_view> args, Environment env = {}) {
  return parse_config(args, env, kDefaults);
}

const StyleCatalogue& catalogue() {
  static const StyleCatalogue c = [] {
    auto loaded = StyleCatalogue::load_dir(STICKERD_SOURCE_STYLES_DIR);
    REQUIRE(loaded.ok());
    return std::move(*loaded);
  }();
  return c;
}

v1::RenderRequest render(std::string style, std::uint32_t deadline_ms = 0) {
  v1::RenderRequest r;
  r.set_text("hi");
  r.set_style_id(std::move(style));
  r.set_deadline_ms(deadline_ms);
  return r;
}

}  // namespace

TEST_CASE("reliability settings have the documented defaults") {
  auto inv = parse({});
  REQUIRE(inv.ok());
  const Config& c = inv->config;
  CHECK(c.deadline_ms == 10'000);
  CHECK(c.max_retries == 1);
  CHECK(c.poison_ttl_s == 600);
  CHECK(c.max_tasks_per_worker == 1000);
  CHECK(c.max_worker_rss_mb == 512);
  CHECK(c.max_connections == 1024);
  CHECK(c.max_connections_per_uid == 512);
  CHECK(c.idle_timeout_ms == 0);  // off: bots keep persistent connections
  CHECK(c.max_inflight == 256);
  CHECK(c.max_write_buffer_mb == 16);
  CHECK(c.drain_grace_ms == 30'000);
  CHECK_FALSE(c.enable_test_styles);
}

TEST_CASE(
    "the drain grace period comes from its flag, variable or file, and --check-config shows it") {
  auto by_env = parse({}, Environment{{"STICKERD_DRAIN_GRACE_MS", "1500"}});
  REQUIRE(by_env.ok());
  CHECK(by_env->config.drain_grace_ms == 1500);
  auto by_flag =
      parse({"--drain-grace-ms", "250"}, Environment{{"STICKERD_DRAIN_GRACE_MS", "1500"}});
  REQUIRE(by_flag.ok());
  CHECK(by_flag->config.drain_grace_ms == 250);
  FileSettings file{"/etc/stickerd.json", {{"--drain-grace-ms", "4000"}}};
  auto by_file = parse_config({"--check-config"}, {}, kDefaults, file);
  REQUIRE(by_file.ok());
  CHECK(by_file->config.drain_grace_ms == 4000);
  const std::string report = describe_config(*by_file);
  CHECK(report.find("drain_grace_ms") != std::string::npos);
  CHECK(report.find("4000") != std::string::npos);
  auto zero = parse({"--drain-grace-ms", "0"});
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().message.find("--drain-grace-ms") != std::string::npos);
}

TEST_CASE("reliability flags and the deadline variable are read") {
  auto inv =
      parse({"--deadline-ms", "2500", "--max-retries", "0", "--poison-ttl-s=30",
             "--max-tasks-per-worker", "5", "--max-worker-rss-mb", "64", "--max-connections", "3",
             "--max-inflight", "4", "--max-write-buffer-mb", "1", "--enable-test-styles"},
            Environment{{"STICKERD_DEADLINE_MS", "999"}});
  REQUIRE(inv.ok());
  const Config& c = inv->config;
  CHECK(c.deadline_ms == 2500);
  CHECK(c.max_retries == 0);
  CHECK(c.poison_ttl_s == 30);
  CHECK(c.max_tasks_per_worker == 5);
  CHECK(c.max_worker_rss_mb == 64);
  CHECK(c.max_connections == 3);
  CHECK(c.max_inflight == 4);
  CHECK(c.max_write_buffer_mb == 1);
  CHECK(c.enable_test_styles);
  auto env_only = parse({}, Environment{{"STICKERD_DEADLINE_MS", "999"}});
  REQUIRE(env_only.ok());
  CHECK(env_only->config.deadline_ms == 999);
}

TEST_CASE(
    "the per-uid connection limit and the idle timeout come from flags or the file; 0 turns each "
    "off") {
  auto inv = parse({"--max-connections-per-uid", "7", "--idle-timeout-ms", "60000"});
  REQUIRE(inv.ok());
  CHECK(inv->config.max_connections_per_uid == 7);
  CHECK(inv->config.idle_timeout_ms == 60'000);
  auto off = parse({"--max-connections-per-uid", "0", "--idle-timeout-ms", "0"});
  REQUIRE(off.ok());
  CHECK(off->config.max_connections_per_uid == 0);
  CHECK(off->config.idle_timeout_ms == 0);
  FileSettings file{"/etc/stickerd.json",
                    {{"--max-connections-per-uid", "9"}, {"--idle-timeout-ms", "1500"}}};
  auto by_file = parse_config({"--check-config"}, {}, kDefaults, file);
  REQUIRE(by_file.ok());
  CHECK(by_file->config.max_connections_per_uid == 9);
  CHECK(by_file->config.idle_timeout_ms == 1500);
  const std::string report = describe_config(*by_file);
  CHECK(report.find("max_connections_per_uid") != std::string::npos);
  CHECK(report.find("idle_timeout_ms") != std::string::npos);
  for (std::string_view flag : {"--max-connections-per-uid", "--idle-timeout-ms"}) {
    auto bad = parse({flag, "-3"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find(flag) != std::string::npos);
  }
}

TEST_CASE("bad reliability values name their flag") {
  for (std::string_view flag : {"--deadline-ms", "--max-inflight", "--max-connections"}) {
    auto inv = parse({flag, "0"});
    REQUIRE_FALSE(inv.ok());
    CHECK(inv.error().message.find(flag) != std::string::npos);
  }
  CHECK_FALSE(parse({"--max-retries", "-1"}).ok());
}

TEST_CASE("a request may shorten its deadline but never lengthen it") {
  AdmissionLimits limits;
  limits.deadline_ms = 5'000;
  CHECK(admit_render(render("classic"), catalogue(), limits)->deadline_ms == 5'000);
  CHECK(admit_render(render("classic", 1'200), catalogue(), limits)->deadline_ms == 1'200);
  CHECK(admit_render(render("classic", 60'000), catalogue(), limits)->deadline_ms == 5'000);
}

TEST_CASE("test styles are unknown unless enabled") {
  AdmissionLimits limits;
  for (const char* style :
       {"test-crash", "test-hang", "test-leak", "test-exit", "test-slow", "test-sleep"}) {
    auto refused = admit_render(render(style), catalogue(), limits);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == v1::UNKNOWN_STYLE);
  }
  limits.enable_test_styles = true;
  auto accepted = admit_render(render("test-crash"), catalogue(), limits);
  REQUIRE(accepted.ok());
  CHECK(accepted->style_id == "test-crash");
}
