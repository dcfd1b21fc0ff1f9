#include "master/config/config_file.h"

#include <doctest/doctest.h>

#include "master/config/config.h"

namespace stickerd {
namespace {

const ConfigDefaults kDefaults{4, "/run/s.sock", "/styles", "/cache"};

}  // namespace

TEST_CASE("a config file's keys become the flags of the same name") {
  auto file =
      parse_config_file("f.json", R"({"workers": 3, "queueSize": 50, "metrics_address": "none"})");
  REQUIRE(file);
  CHECK(file->values.at("--workers") == "3");
  CHECK(file->values.at("--queue-size") == "50");
  CHECK(file->values.at("--metrics-address") == "none");
  CHECK(file->values.size() == 3);
}

TEST_CASE("the fair-connection keys are read from a config file, 0 included") {
  auto file =
      parse_config_file("f.json", R"({"max_connections_per_uid": 0, "idleTimeoutMs": 30000})");
  REQUIRE(file);
  CHECK(file->values.at("--max-connections-per-uid") == "0");
  CHECK(file->values.at("--idle-timeout-ms") == "30000");
  auto inv = parse_config({}, {}, kDefaults, *file);
  REQUIRE(inv);
  CHECK(inv->config.max_connections_per_uid == 0);
  CHECK(inv->config.idle_timeout_ms == 30'000);
}

TEST_CASE("a config file with an unknown key or a wrong type is an error naming the key") {
  auto unknown = parse_config_file("f.json", R"({"wokers": 3})");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("wokers") != std::string::npos);
  auto wrong = parse_config_file("f.json", R"({"workers": "many"})");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message.find("workers") != std::string::npos);
}

TEST_CASE("precedence: flag > environment > file > default, with each origin recorded") {
  auto file =
      parse_config_file("f.json", R"({"workers": 3, "queue_size": 50, "max_text_length": 99})");
  REQUIRE(file);
  Environment env{{"WORKER_QUEUE_SIZE", "60"}};
  auto inv = parse_config({"--max-text-length", "77", "--check-config"}, env, kDefaults, *file);
  REQUIRE(inv);
  CHECK(inv->action == Action::kCheckConfig);
  CHECK(inv->config.workers == 3);                  // file
  CHECK(inv->config.queue_size == 60);              // env beats file
  CHECK(inv->config.max_text_length == 77);         // flag beats file
  CHECK(inv->config.socket_path == "/run/s.sock");  // default
  const std::string report = describe_config(*inv);
  CHECK(report.find("# file f.json") != std::string::npos);
  CHECK(report.find("# env WORKER_QUEUE_SIZE") != std::string::npos);
  CHECK(report.find("# flag") != std::string::npos);
  CHECK(report.find("# default") != std::string::npos);
}

TEST_CASE("a bad value in the config file names the file and the key") {
  auto file = parse_config_file("/etc/stickerd.json", R"({"workers": 0})");
  REQUIRE(file);
  auto inv = parse_config({}, {}, kDefaults, *file);
  REQUIRE_FALSE(inv);
  CHECK(inv.error().message.find("config file /etc/stickerd.json: workers") != std::string::npos);
}

TEST_CASE("--config or STICKERD_CONFIG names the file, the flag first") {
  CHECK(config_file_path({"--config", "a.json"}, {{"STICKERD_CONFIG", "b.json"}}) == "a.json");
  CHECK(config_file_path({"--config=c.json"}, {}) == "c.json");
  CHECK(config_file_path({}, {{"STICKERD_CONFIG", "b.json"}}) == "b.json");
  CHECK_FALSE(config_file_path({}, {}).has_value());
}

}  // namespace stickerd
