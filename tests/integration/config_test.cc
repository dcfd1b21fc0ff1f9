// The config file against the real binary: --check-config's report, a bad
// key refused with its name, and a running daemon using the file's values.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/integration/harness.h"
#include "tests/integration/ops_support.h"

namespace stickerd::itest {

TEST_CASE(
    "stickerd --check-config prints every setting with its origin: flag, env, file, default") {
  TempDir dir;
  const std::string file = dir.path() + "/stickerd.json";
  std::ofstream(file) << R"({"workers": 3, "queue_size": 50, "metrics_address": "127.0.0.1:0"})";
  const ShellRun run = run_shell("WORKER_QUEUE_SIZE=60 " + binary_path("STICKERD_BIN") +
                                     " --config " + file + " --max-text-length 77 --check-config",
                                 dir.path());
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("configuration is valid") != std::string::npos);
  CHECK(run.output.find("# file " + file) != std::string::npos);
  CHECK(run.output.find("# env WORKER_QUEUE_SIZE") != std::string::npos);
  CHECK(run.output.find("# flag") != std::string::npos);
  CHECK(run.output.find("# default") != std::string::npos);
}

TEST_CASE("a bad config file is refused with exit 2 and the key named") {
  TempDir dir;
  const std::string file = dir.path() + "/bad.json";
  std::ofstream(file) << R"({"workers": 0})";
  const ShellRun bad =
      run_shell(binary_path("STICKERD_BIN") + " --config " + file + " --check-config", dir.path());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("workers") != std::string::npos);
  std::ofstream(file) << R"({"queue_sise": 10})";
  const ShellRun typo =
      run_shell("STICKERD_CONFIG=" + file + " " + binary_path("STICKERD_BIN"), dir.path());
  CHECK(typo.exit_code == 2);
  CHECK(typo.output.find("queue_sise") != std::string::npos);
}

TEST_CASE("--check-config refuses a bad metrics address from a flag, a variable or the file") {
  TempDir dir;
  const std::string stickerd = binary_path("STICKERD_BIN");
  for (const char* bad : {"nonsense", "host:99999", ":abc"}) {
    const ShellRun flag = run_shell(
        fmt::format("{} --metrics-address '{}' --check-config", stickerd, bad), dir.path());
    INFO(flag.output);
    CHECK(flag.exit_code == 2);
    CHECK(flag.output.find(fmt::format("--metrics-address: '{}'", bad)) != std::string::npos);
    CHECK(flag.output.find("configuration is valid") == std::string::npos);
  }
  const ShellRun env = run_shell(
      "STICKERD_METRICS_ADDRESS=127.0.0.1:http " + stickerd + " --check-config", dir.path());
  INFO(env.output);
  CHECK(env.exit_code == 2);
  CHECK(env.output.find("STICKERD_METRICS_ADDRESS") != std::string::npos);

  const std::string file = dir.path() + "/metrics.json";
  std::ofstream(file) << R"({"metrics_address": "localhost"})";
  const ShellRun from_file =
      run_shell(stickerd + " --config " + file + " --check-config", dir.path());
  INFO(from_file.output);
  CHECK(from_file.exit_code == 2);
  CHECK(from_file.output.find("metrics_address") != std::string::npos);
  CHECK(from_file.output.find("'localhost'") != std::string::npos);
}

TEST_CASE("a daemon started with --config uses the file's values") {
  TempDir dir;
  const std::string file = dir.path() + "/short.json";
  std::ofstream(file) << R"({"max_text_length": 5})";
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--config", file}});
  Client client(daemon->socket_path());
  const v1::Reply reply = client.call(render_request(1, "far longer than five"));
  REQUIRE(reply.has_error());
  CHECK(reply.error().code() == v1::TEXT_TOO_LONG);
}

TEST_CASE("SIGHUP re-reads the config file and applies its live changes") {
  TempDir files;
  const std::string file = files.path() + "/stickerd.json";
  std::ofstream(file) << R"({"workers": 1, "queue_size": 10})";
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--config", file}, .size_flags = false});
  std::ofstream(file) << R"({"workers": 2, "queue_size": 15})";
  daemon->process().signal(SIGHUP);
  CHECK(wait_until(
      [&] {
        const v1::Stats s = daemon->stats();
        return s.total_workers() == 2 && s.ready_workers() == 2 && s.queue_capacity() == 15;
      },
      60s));
  CHECK(daemon->log().find("workers 1 -> 2 (applied)") != std::string::npos);
  check_still_serving(*daemon);
}

}  // namespace stickerd::itest
