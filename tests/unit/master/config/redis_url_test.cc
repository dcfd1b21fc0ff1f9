// The --redis URL: the forms it accepts, the errors it gives (never showing
// the password), and the setting's sources and --check-config text.
#include "master/config/redis_url.h"

#include <doctest/doctest.h>

#include <string>

#include "master/config/config.h"
#include "master/config/config_reload.h"

namespace stickerd {
namespace {

RedisUrl parsed(std::string_view text) {
  auto url = parse_redis_url(text);
  INFO(text);
  REQUIRE(url.ok());
  return *url;
}

std::string error_of(std::string_view text) {
  auto url = parse_redis_url(text);
  INFO(text);
  REQUIRE_FALSE(url.ok());
  return url.error().message;
}

Result<Invocation> parse(std::vector<std::string_view> args, Environment env = {},
                         FileSettings file = {}) {
  return parse_config(args, env, ConfigDefaults{2, "/s.sock", "/styles", "/cache"}, file);
}

}  // namespace

TEST_CASE("a redis:// URL gives host, port, password and database") {
  const RedisUrl full = parsed("redis://:s3cret@10.0.0.5:6380/2");
  CHECK(full.host == "10.0.0.5");
  CHECK(full.port == 6380);
  CHECK(full.password == "s3cret");
  CHECK(full.db == 2);
  CHECK(full.path.empty());

  const RedisUrl bare = parsed("redis://redis.internal");
  CHECK(bare.host == "redis.internal");
  CHECK(bare.port == 6379);
  CHECK(bare.password.empty());
  CHECK(bare.db == 0);

  CHECK(parsed("redis://h:1/").db == 0);
  CHECK(parsed("redis://[::1]:7000/3").host == "::1");
  CHECK(parsed("redis://[::1]").port == 6379);
  CHECK(parsed("redis://:p%40ss%3Aw%2Fd@h:1").password == "p@ss:w/d");
  CHECK(parsed("redis://:a@b@h:1").password == "a@b");  // the last '@' ends the password
}

TEST_CASE("a unix:// URL gives the socket's path") {
  const RedisUrl url = parsed("unix:///run/redis/redis-server.sock");
  CHECK(url.path == "/run/redis/redis-server.sock");
  CHECK(url.host.empty());
  CHECK(describe(url) == "unix:///run/redis/redis-server.sock");
}

TEST_CASE("a bad URL says what is wrong") {
  CHECK(error_of("localhost:6379").find("expected redis://") != std::string::npos);
  CHECK(error_of("http://h:1").find("expected redis://") != std::string::npos);
  CHECK(error_of("redis://h:99999").find("port") != std::string::npos);
  CHECK(error_of("redis://h:0").find("port") != std::string::npos);
  CHECK(error_of("redis://h:").find("port") != std::string::npos);
  CHECK(error_of("redis://h:6379x").find("port") != std::string::npos);
  CHECK(error_of("redis://:6379").find("host") != std::string::npos);
  CHECK(error_of("redis://").find("host") != std::string::npos);
  CHECK(error_of("redis://::1:6379").find("brackets") != std::string::npos);
  CHECK(error_of("redis://[::1").find("']'") != std::string::npos);
  CHECK(error_of("redis://h:1/zero").find("database") != std::string::npos);
  CHECK(error_of("redis://h:1/-1").find("database") != std::string::npos);
  CHECK(error_of("redis://user:pw@h:1").find("user name") != std::string::npos);
  CHECK(error_of("redis://:@h:1").find("empty") != std::string::npos);
  CHECK(error_of("redis://:bad%4@h:1").find("%XX") != std::string::npos);
  CHECK(error_of("unix://run/redis.sock").find("absolute path") != std::string::npos);
  CHECK(error_of("unix://").find("absolute path") != std::string::npos);
}

TEST_CASE("no error, log or report shows the password") {
  CHECK(redact_redis_url("redis://:s3cret@h:1/2") == "redis://:***@h:1/2");
  CHECK(redact_redis_url("redis://h:1") == "redis://h:1");
  CHECK(redact_redis_url("unix:///x") == "unix:///x");
  CHECK(error_of("redis://:s3cret@h:99999").find("s3cret") == std::string::npos);
  CHECK(describe(parsed("redis://:s3cret@[::1]:7000/3")) == "redis://[::1]:7000/3");

  auto inv = parse({"--redis", "redis://:s3cret@h:1"});
  REQUIRE(inv.ok());
  CHECK(inv->config.redis_url == "redis://:s3cret@h:1");
  const std::string report = describe_config(*inv);
  CHECK(report.find("redis://:***@h:1") != std::string::npos);
  CHECK(report.find("s3cret") == std::string::npos);

  Config before = inv->config;
  before.redis_url.clear();
  const std::string changes = describe_changes(diff_config(before, inv->config));
  CHECK(changes.find("redis (none) -> redis://:***@h:1 (needs a restart)") != std::string::npos);
}

TEST_CASE("--redis comes from the flag, STICKERD_REDIS_URL or the file's redis key") {
  auto none = parse({});
  REQUIRE(none.ok());
  CHECK(none->config.redis_url.empty());
  CHECK(describe_config(*none).find("(none: a single node)") != std::string::npos);

  CHECK(parse({}, {{"STICKERD_REDIS_URL", "redis://e:1"}})->config.redis_url == "redis://e:1");
  const FileSettings file{"/etc/s.json", {{"--redis", "unix:///f.sock"}}};
  CHECK(parse({}, {}, file)->config.redis_url == "unix:///f.sock");
  CHECK(parse({"--redis", "redis://f:1"}, {{"STICKERD_REDIS_URL", "redis://e:1"}}, file)
            ->config.redis_url == "redis://f:1");
}

TEST_CASE("a bad --redis URL is an error that names where it came from") {
  auto flag = parse({"--redis", "redis://h:99999"});
  REQUIRE_FALSE(flag.ok());
  CHECK(flag.error().message.starts_with("--redis: 'redis://h:99999'"));

  auto env = parse({}, {{"STICKERD_REDIS_URL", "localhost"}});
  REQUIRE_FALSE(env.ok());
  CHECK(env.error().message.starts_with("STICKERD_REDIS_URL: 'localhost'"));

  auto file = parse({}, {}, FileSettings{"/etc/s.json", {{"--redis", "redis://:pw@::1"}}});
  REQUIRE_FALSE(file.ok());
  CHECK(file.error().message.starts_with("config file /etc/s.json: redis: 'redis://:***@::1'"));
}

}  // namespace stickerd
