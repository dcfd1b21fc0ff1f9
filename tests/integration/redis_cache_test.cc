// RedisCache against a real redis-server: the cluster's shared cache tier
// and its render claims, driven in-process on a libuv loop, two links
// standing for two nodes. The orders of events here are the races the
// three-node cluster test can only meet by chance.
#include <uv.h>

#include <chrono>
#include <optional>
#include <string>

#include "doctest/doctest.h"
#include "master/cluster/redis_cache.h"
#include "master/cluster/redis_link.h"
#include "master/config/redis_url.h"
#include "tests/integration/ops_support.h"
#include "tests/integration/redis_server.h"

namespace stickerd {
namespace {

using namespace std::chrono_literals;

// A loop of its own with one node's link to `redis`, connected.
class Node {
 public:
  Node(const itest::RedisServer& redis, const std::string& name) {
    REQUIRE(uv_loop_init(&loop_) == 0);
    auto url = parse_redis_url(redis.url());
    REQUIRE(url.ok());
    link_.emplace(&loop_, *url, [this](RedisState s) { state_ = s; });
    cache_.emplace(*link_, name);
    link_->start();
    REQUIRE(run_until([this] { return state_ == RedisState::kConnected; }));
  }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node() {
    cache_.reset();
    link_.reset();  // closes its handles
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  // Runs the loop until `done()` holds or 10 s pass; whether it held.
  template <typename Done>
  bool run_until(Done done) {
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < give_up) uv_run(&loop_, UV_RUN_ONCE);
    return done();
  }

  RedisCache::Claim claim(const std::string& key) {
    std::optional<RedisCache::Claim> answer;
    REQUIRE(cache_->claim(key, [&](RedisCache::Claim c) { answer = std::move(c); }));
    REQUIRE(run_until([&] { return answer.has_value(); }));
    return std::move(*answer);
  }

  std::optional<v1::Sticker> lookup(const std::string& key) {
    bool done = false;
    std::optional<v1::Sticker> found;
    REQUIRE(cache_->lookup(key, [&](std::optional<v1::Sticker> s) {
      found = std::move(s);
      done = true;
    }));
    REQUIRE(run_until([&] { return done; }));
    return found;
  }

  // Stores `sticker` and waits until Redis has taken it (a lookup after it
  // on the same connection is answered after it).
  void store(const std::string& key, const v1::Sticker& sticker) {
    cache_->store(key, sticker);
    lookup(key);
  }
  // Gives up the claim on `key` and waits until Redis has done so.
  void release(const std::string& key) {
    cache_->release(key);
    lookup(key);
  }

 private:
  uv_loop_t loop_{};
  RedisState state_ = RedisState::kDegraded;
  std::optional<RedisLink> link_;
  std::optional<RedisCache> cache_;
};

v1::Sticker a_sticker() {
  v1::Sticker s;
  s.set_data("RIFF....WEBPVP8 a sticker's bytes");
  s.set_style_id("classic");
  s.set_width(512);
  s.set_height(512);
  return s;
}

TEST_CASE("the first claim on a key is the node's; a second node's is not, until it is given up") {
  itest::RedisServer redis;
  Node a(redis, "a");
  Node b(redis, "b");
  const std::string key = "0123456789abcdef-claims";
  const RedisCache::Claim first = a.claim(key);
  CHECK(first.mine);
  CHECK_FALSE(first.stored);
  const RedisCache::Claim second = b.claim(key);
  CHECK_FALSE(second.mine);
  CHECK_FALSE(second.stored);
  a.release(key);  // A's render failed
  CHECK(b.claim(key).mine);
}

TEST_CASE("a claim after a missed lookup gets the sticker another node stored meanwhile") {
  itest::RedisServer redis;
  Node a(redis, "a");
  Node b(redis, "b");
  const std::string key = "0123456789abcdef-race";
  REQUIRE(a.claim(key).mine);
  CHECK_FALSE(b.lookup(key));  // B misses while A renders…
  a.store(key, a_sticker());   // …A stores its sticker and gives up its claim…
  // …and B's claim, which follows its miss, must not render it again.
  const RedisCache::Claim late = b.claim(key);
  CHECK_FALSE(late.mine);
  REQUIRE(late.stored);
  CHECK(late.stored->data() == a_sticker().data());
  CHECK(late.stored->style_id() == "classic");
}

TEST_CASE("a claim on a key whose stored entry is refused renders it") {
  itest::RedisServer redis;
  Node a(redis, "a");
  Node b(redis, "b");
  const std::string key = "0123456789abcdef-torn";
  a.store("0123456789abcdef-other", a_sticker());
  // The same bytes under another key are refused, as a torn entry is.
  const itest::TempDir scratch;
  const itest::ShellRun copy =
      itest::run_shell("redis-cli --raw -p " + std::to_string(redis.port()) +
                           " COPY stickerd:cache:0123456789abcdef-other stickerd:cache:" + key,
                       scratch.path());
  REQUIRE(copy.output == "1\n");
  CHECK_FALSE(b.lookup(key));
  const RedisCache::Claim claim = b.claim(key);
  CHECK(claim.mine);
  CHECK_FALSE(claim.stored);
}

}  // namespace
}  // namespace stickerd
