// Prediction (--predict): a text asked for is rendered in its other styles
// on idle workers, so the next style asked for is a cache hit.
// Every assertion is on exported stats and replies, never on timing.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/test_styles.h"
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

// Every WebP style but the test styles, as the daemon lists them.
std::vector<std::string> webp_styles(const Daemon& daemon) {
  std::vector<std::string> out;
  const v1::StyleList styles = list_styles(daemon);
  for (const v1::StyleInfo& style : styles.styles()) {
    const bool webp = std::find(style.formats().begin(), style.formats().end(), v1::FORMAT_WEBP) !=
                      style.formats().end();
    if (webp && !is_test_style(style.id())) out.push_back(style.id());
  }
  return out;
}

// The cache hits a WebP batch of `styles` for `text` finds.
std::uint64_t hits_of_batch(const Daemon& daemon, const std::string& text,
                            const std::vector<std::string>& styles) {
  const std::uint64_t before = daemon.stats().cache_hits();
  Client client(daemon.socket_path());
  v1::Request request;
  request.set_id(1);
  request.mutable_batch()->set_text(text);
  request.mutable_batch()->set_format(v1::FORMAT_WEBP);  // as render_webp asks
  for (const std::string& style : styles) request.mutable_batch()->add_style_ids(style);
  client.send(request);
  while (!client.receive(60s).has_batch_done()) {
  }
  return daemon.stats().cache_hits() - before;
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

TEST_CASE("a full warm queue gives up a less popular text's renders for a more popular one's") {
  // One worker, held by a test-sleep render meanwhile, so every prediction
  // waits in the warm queue, which the queue size bounds to 3 renders.
  auto daemon = start_daemon(
      {.workers = 1, .queue_size = 3, .extra_args = {"--predict", "on", "--enable-test-styles"}});
  const std::vector<std::string> styles = webp_styles(*daemon);
  REQUIRE(styles.size() >= 5);  // each text predicts more renders than the warm queue holds
  const auto others = static_cast<std::uint64_t>(styles.size() - 1);
  const std::string tail = unique_text("asked once");
  const std::string popular = unique_text("asked twice");

  Client client(daemon->socket_path());
  client.send(render_request(1, fmt::format("2000 {}", unique_text("sleep")), "test-sleep"));
  // Count 1: 3 of its other styles fill the warm queue, the rest are refused.
  client.send(render_request(2, tail, "classic", v1::FORMAT_WEBP));
  // Count 1: no more popular than what is queued, so all refused; count 2:
  // more popular, so each of its renders takes the place of one of tail's.
  client.send(render_request(3, popular, "classic", v1::FORMAT_WEBP));
  client.send(render_request(4, popular, "classic", v1::FORMAT_WEBP));
  for (int i = 0; i < 4; ++i) {
    const v1::Reply reply = client.receive(60s);
    REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
  }
  // The sleep, the two texts' own renders and the 3 warm renders left.
  REQUIRE(wait_until([&] { return daemon->stats().tasks_completed() == 1 + 2 + 3; }, 60s));
  const v1::Stats stats = daemon->stats();
  CHECK(stats.warm_queued() == 3 + 3);
  // Refused: tail's others beyond 3, popular's all at count 1 and its
  // others beyond 3 at count 2; given up: tail's 3.
  CHECK(stats.warm_dropped() == (others - 3) + others + (others - 3) + 3);

  CHECK(hits_of_batch(*daemon, popular, styles) == 1 + 3);
  CHECK(hits_of_batch(*daemon, tail, styles) == 1);
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
