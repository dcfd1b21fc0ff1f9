// Rendering through the real daemon: image content, request multiplexing,
// batches and the stats that describe them.
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "common/format_rules.h"
#include "tests/integration/harness.h"

namespace stickerd::itest {

TEST_CASE("a Russian greeting with an emoji renders as a 512x512 WebP with transparent corners") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  const v1::Reply reply = client.call(render_request(42, "Привет, мир! 🎉", "", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
  CHECK(reply.id() == 42);
  const v1::Sticker& sticker = reply.sticker();
  CHECK(sticker.format() == v1::FORMAT_WEBP);
  CHECK(sticker.width() == 512);
  CHECK(sticker.height() == 512);

  const auto image = decode_webp(sticker.data());
  REQUIRE_MESSAGE(image.has_value(), "libwebp cannot decode the sticker");
  REQUIRE(image->width == 512);
  REQUIRE(image->height == 512);
  // Corners: a 4x4 block in each must be fully transparent.
  for (const auto& [cx, cy] : {std::pair{0, 0}, {508, 0}, {0, 508}, {508, 508}}) {
    for (int y = cy; y < cy + 4; ++y) {
      for (int x = cx; x < cx + 4; ++x) {
        INFO("pixel ", x, ",", y);
        CHECK(image->alpha(x, y) == 0);
      }
    }
  }
  // Centre: the text covers a good part of the middle quarter of the canvas.
  int opaque = 0;
  for (int y = 128; y < 384; ++y) {
    for (int x = 128; x < 384; ++x) opaque += image->alpha(x, y) > 0;
  }
  INFO(opaque, " of 65536 centre pixels are not transparent");
  CHECK(opaque > 65536 / 10);
}

TEST_CASE(
    "a character no font has is answered UNSUPPORTED_TEXT as the worker said, not as a crash") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  struct Case {
    std::string text;
    const char* style;
    v1::Format format;
    const char* named;
  };
  const Case cases[] = {{unique_text("pua \xEE\x80\x80"), "classic", v1::FORMAT_WEBP, "U+E000"},
                        {unique_text("max \xF4\x8F\xBF\xBD"), "wave", v1::FORMAT_TGS, "U+10FFFD"}};
  std::uint64_t id = 1;
  for (const Case& c : cases) {
    const v1::Reply reply = client.call(render_request(id++, c.text, c.style, c.format));
    REQUIRE_MESSAGE(reply.has_error(), describe(reply));
    CHECK(reply.error().code() == v1::UNSUPPORTED_TEXT);
    CHECK_MESSAGE(reply.error().message().find(c.named) != std::string::npos,
                  reply.error().message());
  }
  // The same text again: refused again, never poisoned, and no worker died.
  const v1::Reply again =
      client.call(render_request(id++, cases[0].text, "classic", v1::FORMAT_WEBP));
  REQUIRE(again.has_error());
  CHECK(again.error().code() == v1::UNSUPPORTED_TEXT);
  const v1::Stats stats = daemon->stats();
  CHECK(stats.restarts() == 0);
  CHECK(stats.poisoned() == 0);
  CHECK(stats.poison_entries() == 0);
  CHECK(stats.retries() == 0);
  check_still_serving(*daemon);

  // stickerctl exits 10 + UNSUPPORTED_TEXT and names the code.
  const CtlRun run = run_stickerctl({"--socket", daemon->socket_path(), "render", "\xEE\x80\x80",
                                     "-o", daemon->dir() + "/x.webp"},
                                    daemon->dir());
  CHECK(run.exit_code == 10 + v1::UNSUPPORTED_TEXT);
  CHECK(run.err.find("UNSUPPORTED_TEXT") != std::string::npos);
}

TEST_CASE("several requests in flight on one connection come back with their own ids") {
  auto daemon = start_daemon({.workers = 2});
  Client client(daemon->socket_path());
  // Alternate formats so a reply delivered under the wrong id shows.
  std::map<std::uint64_t, v1::Format> sent;
  for (std::uint64_t id = 100; id < 108; ++id) {
    const auto format = id % 2 ? v1::FORMAT_PNG : v1::FORMAT_WEBP;
    client.send(render_request(id, unique_text("in flight"), "classic", format));
    sent[id] = format;
  }
  client.send(stats_request(999));

  std::map<std::uint64_t, int> seen;
  for (std::size_t i = 0; i < sent.size() + 1; ++i) {
    const v1::Reply reply = client.receive(60s);
    ++seen[reply.id()];
    if (reply.id() == 999) {
      CHECK_MESSAGE(reply.has_stats(), describe(reply));
      continue;
    }
    REQUIRE_MESSAGE(sent.count(reply.id()) == 1, "a reply for id ", reply.id(), " never sent");
    REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
    CHECK(reply.sticker().format() == sent[reply.id()]);
  }
  for (const auto& [id, count] : seen) {
    INFO("id ", id);
    CHECK(count == 1);
  }
  CHECK(seen.size() == sent.size() + 1);
}

TEST_CASE(
    "a batch streams one item per style that serves the profile, every index, then one "
    "batch_done") {
  auto daemon = start_daemon({.workers = 2});
  Client client(daemon->socket_path());
  v1::Request list;
  list.set_id(1);
  list.mutable_list_styles();
  const v1::Reply styles = client.call(list);
  REQUIRE_MESSAGE(styles.has_styles(), describe(styles));
  // "Every style" in a Telegram batch: each style with a format Telegram takes.
  std::set<std::string> catalogue;
  for (const auto& style : styles.styles().styles()) {
    for (int f : style.formats()) {
      if (!format_profile_conflict(static_cast<v1::Format>(f), v1::PROFILE_TELEGRAM)) {
        catalogue.insert(style.id());
      }
    }
  }
  const int style_count = static_cast<int>(catalogue.size());
  REQUIRE(style_count > 0);

  v1::Request request;
  request.set_id(77);
  request.mutable_batch()->set_text(unique_text("batch"));  // no style_ids: every style
  client.send(request);

  std::set<std::uint32_t> indices;
  std::set<std::string> item_styles;
  std::uint32_t succeeded = 0;
  for (;;) {
    const v1::Reply reply = client.receive(120s);
    REQUIRE(reply.id() == 77);
    if (reply.has_batch_done()) {
      CHECK(reply.batch_done().count() == static_cast<std::uint32_t>(style_count));
      CHECK(reply.batch_done().succeeded() == succeeded);
      break;
    }
    REQUIRE_MESSAGE(reply.has_batch_item(), describe(reply));
    const auto& item = reply.batch_item();
    CHECK_MESSAGE(indices.insert(item.index()).second, "index ", item.index(), " twice");
    item_styles.insert(item.style_id());
    CHECK_MESSAGE(item.has_sticker(), item.style_id(), ": ",
                  item.has_error() ? item.error().message() : "no result");
    if (item.has_sticker()) {
      ++succeeded;
      CHECK(item.sticker().style_id() == item.style_id());
    }
  }
  CHECK(indices.size() == static_cast<std::size_t>(style_count));
  CHECK((indices.empty() || *indices.rbegin() == static_cast<std::uint32_t>(style_count - 1)));
  CHECK(item_styles == catalogue);
  // batch_done was the final reply: nothing else follows for this connection.
  v1::Reply extra;
  CHECK(client.receive(extra, 300ms) == Client::Status::kTimeout);
}

TEST_CASE("stats add up: total is busy plus idle and tasks_completed counts every render sent") {
  auto daemon = start_daemon({.workers = 2, .queue_size = 17});
  const v1::Stats before = daemon->stats();
  CHECK(before.total_workers() == 2);
  CHECK(before.ready_workers() == 2);
  CHECK(before.total_workers() == before.busy_workers() + before.idle_workers());
  CHECK(before.queue_capacity() == 17);
  CHECK(before.tasks_completed() == 0);

  Client client(daemon->socket_path());
  constexpr int kRenders = 5;
  for (int i = 1; i <= kRenders; ++i) client.send(render_request(i, unique_text("counted")));
  for (int i = 0; i < kRenders; ++i) {
    const v1::Reply reply = client.receive(60s);
    REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
  }

  const v1::Stats after = daemon->stats();
  CHECK(after.total_workers() == after.busy_workers() + after.idle_workers());
  CHECK(after.busy_workers() == 0);
  CHECK(after.queue_size() == 0);
  CHECK(after.tasks_completed() == before.tasks_completed() + kRenders);
  CHECK(after.tasks_failed() == 0);
  CHECK(after.restarts() == 0);
  CHECK(after.connections() >= 2);  // `client` and the stats connection
  CHECK(after.uptime_seconds() > before.uptime_seconds());
}

}  // namespace stickerd::itest
