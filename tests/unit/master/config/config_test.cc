// Unit tests for master/config: flag > environment > default, and bad values.
#include <doctest/doctest.h>

#include "common/frame.h"
#include "master/config/config.h"

using namespace stickerd;

namespace {

const ConfigDefaults kDefaults{8, "./run/stickerd.sock", "/usr/share/stickerd/styles", "./cache"};

Result<Invocation> parse(std::vector<std::string_view> args, Environment env = {}) {
  return parse_config(args, env, kDefaults);
}

}  // namespace

TEST_CASE("with no flags and no environment every setting takes its default") {
  auto inv = parse({});
  REQUIRE(inv.ok());
  const Config& c = inv->config;
  CHECK(inv->action == Action::kRun);
  CHECK(c.socket_path == "./run/stickerd.sock");
  CHECK(c.workers == 8);
  CHECK(c.queue_size == 100);
  CHECK(c.styles_dir == "/usr/share/stickerd/styles");
  CHECK(c.worker_binary.empty());
  CHECK(c.max_text_length == 256);
  CHECK(c.max_frame_bytes == kDefaultMaxFrameBytes);
}

TEST_CASE("the environment overrides defaults and a flag overrides the environment") {
  Environment env{{"WORKER_POOL_SIZE", "3"},
                  {"WORKER_QUEUE_SIZE", "7"},
                  {"STICKERD_SOCKET", "/env/s.sock"},
                  {"STICKERD_STYLES_DIR", "/env/styles"},
                  {"STICKERD_WORKER_BINARY", "/env/worker"}};
  SUBCASE("environment only") {
    auto inv = parse({}, env);
    REQUIRE(inv.ok());
    CHECK(inv->config.workers == 3);
    CHECK(inv->config.queue_size == 7);
    CHECK(inv->config.socket_path == "/env/s.sock");
    CHECK(inv->config.styles_dir == "/env/styles");
    CHECK(inv->config.worker_binary == "/env/worker");
  }
  SUBCASE("flags win, in both spellings") {
    auto inv = parse(
        {"--workers", "5", "--queue-size=9", "--socket", "/flag/s.sock", "--styles=/flag/styles",
         "--worker-binary", "/flag/worker", "--max-text-length", "10", "--max-frame-bytes", "4096"},
        env);
    REQUIRE(inv.ok());
    CHECK(inv->config.workers == 5);
    CHECK(inv->config.queue_size == 9);
    CHECK(inv->config.socket_path == "/flag/s.sock");
    CHECK(inv->config.styles_dir == "/flag/styles");
    CHECK(inv->config.worker_binary == "/flag/worker");
    CHECK(inv->config.max_text_length == 10);
    CHECK(inv->config.max_frame_bytes == 4096);
  }
}

TEST_CASE("an empty environment variable counts as unset") {
  auto inv = parse({}, Environment{{"WORKER_POOL_SIZE", ""}});
  REQUIRE(inv.ok());
  CHECK(inv->config.workers == 8);
}

TEST_CASE("bad numbers are errors that name the flag or variable") {
  SUBCASE("zero workers from a flag") {
    auto inv = parse({"--workers", "0"});
    REQUIRE_FALSE(inv.ok());
    CHECK(inv.error().message.find("--workers") != std::string::npos);
  }
  SUBCASE("not a number from the environment") {
    auto inv = parse({}, Environment{{"WORKER_QUEUE_SIZE", "lots"}});
    REQUIRE_FALSE(inv.ok());
    CHECK(inv.error().message.find("WORKER_QUEUE_SIZE") != std::string::npos);
  }
  SUBCASE("trailing junk") { CHECK_FALSE(parse({"--queue-size", "10x"}).ok()); }
  SUBCASE("negative") { CHECK_FALSE(parse({"--max-text-length", "-1"}).ok()); }
  SUBCASE("absurdly many workers") { CHECK_FALSE(parse({"--workers", "100000"}).ok()); }
  SUBCASE("a flag wins even over a bad variable") {
    CHECK(parse({"--workers", "2"}, Environment{{"WORKER_POOL_SIZE", "zero"}}).ok());
  }
}

TEST_CASE("a bad metrics address is an error that names the flag or variable") {
  for (const char* bad : {"nonsense", "host:99999", ":abc"}) {
    auto flag = parse({"--metrics-address", bad});
    REQUIRE_FALSE(flag.ok());
    CHECK(flag.error().message.find("--metrics-address") != std::string::npos);
    CHECK(flag.error().message.find(bad) != std::string::npos);
    auto env = parse({}, Environment{{"STICKERD_METRICS_ADDRESS", bad}});
    REQUIRE_FALSE(env.ok());
    CHECK(env.error().message.find("STICKERD_METRICS_ADDRESS") != std::string::npos);
  }
  CHECK(parse({"--metrics-address", "none"})->config.metrics_address.empty());
  CHECK(parse({"--metrics-address", "127.0.0.1:0"})->config.metrics_address == "127.0.0.1:0");
}

TEST_CASE("unknown arguments and missing values are errors") {
  CHECK_FALSE(parse({"--wrokers", "2"}).ok());
  CHECK_FALSE(parse({"--workers"}).ok());
}

TEST_CASE("help and version are actions, not runs") {
  CHECK(parse({"--help"})->action == Action::kHelp);
  CHECK(parse({"--version"})->action == Action::kVersion);
  const std::string text = usage();
  for (const char* name :
       {"--socket", "--workers", "--queue-size", "--styles", "--worker-binary", "--max-text-length",
        "--max-frame-bytes", "WORKER_POOL_SIZE", "WORKER_QUEUE_SIZE", "STICKERD_SOCKET",
        "STICKERD_STYLES_DIR", "STICKERD_WORKER_BINARY"}) {
    CHECK_MESSAGE(text.find(name) != std::string::npos, name);
  }
}

TEST_CASE("the worker binary is looked for beside stickerd, then in the build tree") {
  const auto c = worker_binary_candidates("/build/master/stickerd");
  REQUIRE(c.size() == 3);
  CHECK(c[0] == "/build/master/stickerd-worker");
  CHECK(c[1] == "/build/worker/stickerd-worker");
  CHECK(c[2].find("stickerd-worker") != std::string::npos);
}
