// Prediction (--predict): a text asked for is rendered in its other styles
// on idle workers, so the next style asked for is a cache hit.
// Every assertion is on exported stats and replies, never on timing.
#include <doctest/doctest.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

// A style other than classic that offers WebP, as classic does.
constexpr const char* kOtherStyle = "glow";

v1::Reply render_webp(const Daemon& daemon, std::uint64_t id, const std::string& text,
                      const std::string& style) {
  Client client(daemon.socket_path());
  return client.call(render_request(id, text, style, v1::FORMAT_WEBP));
}

}  // namespace

TEST_CASE("a text asked for is rendered in its other styles, in its format, on idle workers") {
  auto daemon = start_daemon({.workers = 2, .extra_args = {"--predict", "on"}});
  const std::string text = unique_text("popular");
  REQUIRE(render_webp(*daemon, 1, text, "classic").has_sticker());
  // Every predicted render has finished: each counts as a completed task.
  REQUIRE(wait_until(
      [&] {
        const v1::Stats s = daemon->stats();
        return s.warm_queued() > 0 && s.tasks_completed() == 1 + s.warm_queued();
      },
      20s));
  const v1::Stats before = daemon->stats();
  CHECK(before.warm_queued() >= 1);

  const v1::Reply other = render_webp(*daemon, 3, text, kOtherStyle);
  REQUIRE_MESSAGE(other.has_sticker(), describe(other));
  CHECK(other.sticker().style_id() == kOtherStyle);
  const v1::Stats after = daemon->stats();
  CHECK(after.tasks_completed() == before.tasks_completed());
  CHECK(after.cache_hits() == before.cache_hits() + 1);
}

TEST_CASE("a client's request arriving during prediction waits for at most one predicted render") {
  // One worker: no reserve, so the predicted renders take it whenever idle.
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--predict", "on"}});
  // Animated renders take long enough that a request queued behind all of
  // them could not go unnoticed in the count below.
  Client client(daemon->socket_path());
  v1::Request request =
      render_request(1, unique_text("animated"), "bounce", v1::FORMAT_WEBP_ANIMATED);
  request.mutable_render()->set_profile(v1::PROFILE_NONE);  // Telegram animates no WebP
  const v1::Reply first = client.call(request);
  REQUIRE_MESSAGE(first.has_sticker(), describe(first));
  const std::uint64_t predicted = daemon->stats().warm_queued();
  REQUIRE(predicted >= 3);
  const v1::Reply mine = client.call(render_request(2, unique_text("meanwhile"), "classic"));
  REQUIRE_MESSAGE(mine.has_sticker(), describe(mine));
  // It waited at most for the predicted render the worker held when it
  // came, not behind the others (some of which may have run since).
  CHECK(daemon->stats().tasks_completed() < 1 + predicted + 1);
}

TEST_CASE("with --predict off the other styles are rendered only when asked for") {
  auto daemon = start_daemon({.workers = 2, .extra_args = {"--predict", "off"}});
  const std::string text = unique_text("not predicted");
  REQUIRE(render_webp(*daemon, 1, text, "classic").has_sticker());
  REQUIRE(render_webp(*daemon, 2, text, "classic").has_sticker());
  REQUIRE_MESSAGE(render_webp(*daemon, 3, text, kOtherStyle).has_sticker(), "glow");
  const v1::Stats stats = daemon->stats();
  CHECK(stats.warm_queued() == 0);
  CHECK(stats.tasks_completed() == 2);
}

}  // namespace stickerd::itest
