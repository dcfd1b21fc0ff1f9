// The result cache, single-flight and warm renders through the real daemon.
// Every assertion is on exported stats and reply bytes, never on timing.
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

v1::Request warm_request(std::uint64_t id, const std::string& text,
                         const std::vector<std::string>& styles,
                         v1::Format format = v1::FORMAT_UNSPECIFIED) {
  v1::Request r;
  r.set_id(id);
  v1::WarmRequest* w = r.mutable_warm();
  w->set_text(text);
  for (const auto& s : styles) w->add_style_ids(s);
  w->set_format(format);
  // Animated WebP is for the web profile (Telegram animates only TGS).
  if (format == v1::FORMAT_WEBP_ANIMATED) w->set_profile(v1::PROFILE_NONE);
  return r;
}

}  // namespace

TEST_CASE(
    "a repeated identical request is a cache hit that skips the workers and returns the same "
    "bytes") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  const std::string text = unique_text("cached");
  const v1::Reply first = client.call(render_request(1, text, "classic", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(first.has_sticker(), describe(first));
  const v1::Stats before = daemon->stats();

  // Padding and a different code point order (NFC) still name the same sticker.
  const v1::Reply second =
      client.call(render_request(2, "  " + text + " ", "classic", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(second.has_sticker(), describe(second));
  const v1::Stats after = daemon->stats();

  CHECK(second.id() == 2);
  CHECK(second.sticker().data() == first.sticker().data());
  CHECK(after.tasks_completed() == before.tasks_completed());
  CHECK(after.cache_hits() == before.cache_hits() + 1);
  CHECK(after.cache_entries() == 1);
  CHECK(after.cache_bytes() > first.sticker().data().size());
}

TEST_CASE("a batch item already in the cache is answered without a worker") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  const std::string text = unique_text("batch cached");
  REQUIRE(client.call(render_request(1, text, "classic", v1::FORMAT_WEBP)).has_sticker());
  const v1::Stats before = daemon->stats();
  v1::Request batch;
  batch.set_id(2);
  batch.mutable_batch()->set_text(text);
  batch.mutable_batch()->add_style_ids("classic");
  batch.mutable_batch()->set_format(v1::FORMAT_WEBP);
  client.send(batch);
  const v1::Reply item = client.receive();
  REQUIRE_MESSAGE(item.has_batch_item(), describe(item));
  CHECK(item.batch_item().has_sticker());
  const v1::Reply done = client.receive();
  REQUIRE_MESSAGE(done.has_batch_done(), describe(done));
  CHECK(done.batch_done().succeeded() == 1);
  CHECK(daemon->stats().tasks_completed() == before.tasks_completed());
}

TEST_CASE("N identical concurrent requests cause one render and N replies") {
  auto daemon = start_daemon({.workers = 1});
  const v1::Stats before = daemon->stats();
  constexpr int kPerConnection = 4;
  Client a(daemon->socket_path());
  Client b(daemon->socket_path());
  const std::string text = unique_text("together");
  // Sent back to back: the later ones arrive while the first is queued or
  // rendering, so they join it.
  for (int i = 0; i < kPerConnection; ++i) {
    a.send(render_request(10 + i, text, "classic", v1::FORMAT_WEBP));
    b.send(render_request(20 + i, text, "classic", v1::FORMAT_WEBP));
  }
  std::set<std::string> bodies;
  std::map<std::uint64_t, int> seen;
  for (Client* c : {&a, &b}) {
    for (int i = 0; i < kPerConnection; ++i) {
      const v1::Reply reply = c->receive(60s);
      REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
      bodies.insert(reply.sticker().data());
      ++seen[reply.id()];
    }
  }
  CHECK(seen.size() == 2 * kPerConnection);
  CHECK(bodies.size() == 1);
  const v1::Stats after = daemon->stats();
  CHECK(after.tasks_completed() == before.tasks_completed() + 1);
  // The others either joined the flight or, once it landed, hit the cache.
  CHECK(after.cache_joined() + after.cache_hits() == 2 * kPerConnection - 1);
  CHECK(after.cache_joined() >= 1);
}

TEST_CASE("when a shared render fails every waiting request gets the error") {
  auto daemon =
      start_daemon({.workers = 1, .extra_args = {"--enable-test-styles", "--max-retries", "0"}});
  Client client(daemon->socket_path());
  const std::string text = unique_text("doomed");
  for (std::uint64_t id = 1; id <= 3; ++id) client.send(render_request(id, text, "test-crash"));
  std::set<std::uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    const v1::Reply reply = client.receive(60s);
    CHECK_MESSAGE(reply.has_error(), describe(reply));
    ids.insert(reply.id());
  }
  CHECK(ids.size() == 3);
  CHECK(daemon->stats().cache_entries() == 0);
  check_still_serving(*daemon);
}

TEST_CASE("a cancelled leader hands its render to the request that joined it") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  // Keep the only worker busy so the shared task is still queued.
  v1::Request busy = render_request(1, unique_text("busy"), "bounce", v1::FORMAT_WEBP_ANIMATED);
  busy.mutable_render()->set_profile(v1::PROFILE_NONE);
  client.send(busy);
  const std::string text = unique_text("heir");
  client.send(render_request(2, text, "classic", v1::FORMAT_WEBP));
  client.send(render_request(3, text, "classic", v1::FORMAT_WEBP));
  v1::Request cancel;
  cancel.set_id(4);
  cancel.mutable_cancel()->set_target_id(2);
  client.send(cancel);
  std::map<std::uint64_t, v1::Reply> replies;
  for (int i = 0; i < 4; ++i) {
    v1::Reply r = client.receive(60s);
    replies[r.id()] = r;
  }
  REQUIRE(replies.size() == 4);
  CHECK(replies[2].has_error());
  CHECK(replies[2].error().code() == v1::CANCELLED);
  CHECK_MESSAGE(replies[3].has_sticker(), describe(replies[3]));
  CHECK_MESSAGE(replies[1].has_sticker(), describe(replies[1]));
}

TEST_CASE("warm renders into the cache so a later render is a hit") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  const std::string text = unique_text("warm");
  const v1::Reply ack =
      client.call(warm_request(1, text, {"classic", "no-such-style"}, v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(ack.has_warm_accepted(), describe(ack));
  CHECK(ack.warm_accepted().queued() == 1);
  CHECK(ack.warm_accepted().invalid() == 1);
  REQUIRE(wait_until([&] { return daemon->stats().cache_entries() == 1; }, 30s));

  const v1::Stats before = daemon->stats();
  const v1::Reply hit = client.call(render_request(2, text, "classic", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(hit.has_sticker(), describe(hit));
  const v1::Stats after = daemon->stats();
  CHECK(after.tasks_completed() == before.tasks_completed());
  CHECK(after.cache_hits() == before.cache_hits() + 1);

  // Warming it again queues nothing.
  const v1::Reply again = client.call(warm_request(3, text, {"classic"}, v1::FORMAT_WEBP));
  REQUIRE(again.has_warm_accepted());
  CHECK(again.warm_accepted().queued() == 0);
  CHECK(again.warm_accepted().cached() == 1);
}

TEST_CASE("warm work waits while interactive requests queue in a saturated pool") {
  auto daemon = start_daemon({.workers = 1});
  const v1::Stats base = daemon->stats();
  Client interactive(daemon->socket_path());
  Client warmer(daemon->socket_path());
  constexpr int kBefore = 3, kAfter = 3;
  for (int i = 0; i < kBefore; ++i)
    interactive.send(render_request(10 + i, unique_text("first"), "classic"));
  // Animated warm renders take far longer than a static one, so one that
  // jumped the queue could not go unnoticed in the count below.
  const v1::Reply ack = warmer.call(warm_request(
      1, unique_text("background"), {"bounce", "bounce-bubble"}, v1::FORMAT_WEBP_ANIMATED));
  REQUIRE_MESSAGE(ack.has_warm_accepted(), describe(ack));
  CHECK_MESSAGE(ack.warm_accepted().queued() == 2, ack.DebugString());
  for (int i = 0; i < kAfter; ++i)
    interactive.send(render_request(20 + i, unique_text("then"), "classic"));
  for (int i = 0; i < kBefore + kAfter; ++i) {
    const v1::Reply reply = interactive.receive(60s);
    REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
  }
  // Every interactive render finished before any warm one: none has landed yet.
  const v1::Stats now = daemon->stats();
  CHECK(now.tasks_completed() == base.tasks_completed() + kBefore + kAfter);
  CHECK(now.cache_entries() == static_cast<std::uint64_t>(kBefore + kAfter));
  // And the warm renders still happen once the pool is free.
  CHECK(wait_until(
      [&] {
        return daemon->stats().tasks_completed() == base.tasks_completed() + kBefore + kAfter + 2;
      },
      60s));
}

TEST_CASE("--cache-mb 0 turns the cache off: identical requests each render") {
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--cache-mb", "0"}});
  Client client(daemon->socket_path());
  const std::string text = unique_text("uncached");
  REQUIRE(client.call(render_request(1, text, "classic", v1::FORMAT_WEBP)).has_sticker());
  REQUIRE(client.call(render_request(2, text, "classic", v1::FORMAT_WEBP)).has_sticker());
  const v1::Stats s = daemon->stats();
  CHECK(s.tasks_completed() == 2);
  CHECK(s.cache_hits() == 0);
  CHECK(s.cache_capacity_bytes() == 0);
}

}  // namespace stickerd::itest

namespace stickerd::itest {

TEST_CASE("the pool grows while tasks queue and shrinks back after idle time") {
  auto daemon = start_daemon(
      {.workers = 1,
       .extra_args = {"--min-workers", "1", "--max-workers", "2", "--scale-idle-ms", "300"}});
  CHECK(daemon->stats().total_workers() == 1);
  Client client(daemon->socket_path());
  // Animated renders (hundreds of ms each) keep the queue waiting past the
  // 250 ms that grows the pool; static ones now finish too soon to.
  constexpr int kRequests = 6;
  for (int i = 0; i < kRequests; ++i) {
    v1::Request r =
        render_request(100 + i, unique_text("grow"), "bounce", v1::FORMAT_WEBP_ANIMATED);
    r.mutable_render()->set_profile(v1::PROFILE_NONE);
    client.send(r);
  }
  CHECK(wait_until([&] { return daemon->stats().total_workers() == 2; }, 30s));
  for (int i = 0; i < kRequests; ++i) {
    const v1::Reply reply = client.receive(60s);
    CHECK_MESSAGE(reply.has_sticker(), describe(reply));
  }
  CHECK(wait_until([&] { return daemon->stats().total_workers() == 1; }, 30s));
  const v1::Stats s = daemon->stats();
  CHECK(s.pool_grows() >= 1);
  CHECK(s.pool_shrinks() >= 1);
  check_still_serving(*daemon);
}

}  // namespace stickerd::itest
