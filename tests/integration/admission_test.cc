// Admission at the edge: a full queue answers QUEUE_FULL at once, and bad
// input is refused with its own code without harming anyone else.

#include <doctest/doctest.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

// Sends `request` on a fresh connection and checks it is refused with `code`
// under the same id, that the connection still works, and that the daemon
// still serves others.
void check_refused(const Daemon& daemon, const v1::Request& request, v1::ErrorCode code) {
  Client client(daemon.socket_path());
  const v1::Reply reply = client.call(request);
  CHECK(reply.id() == request.id());
  REQUIRE_MESSAGE(reply.has_error(), describe(reply));
  CHECK_MESSAGE(reply.error().code() == code, describe(reply));
  CHECK_MESSAGE(!reply.error().message().empty(), "the error carries no sentence");
  // A refused request is a value, not a protocol error: the connection goes on.
  try {
    const v1::Reply next =
        client.call(render_request(request.id() + 1, unique_text("after refusal")), 60s);
    CHECK_MESSAGE(next.has_sticker(), "the same connection then got ", describe(next));
  } catch (const HarnessError& e) {
    FAIL_CHECK("the connection did not survive the refusal: ", std::string(e.what()));
  }
  check_still_serving(daemon);
}

}  // namespace

TEST_CASE("a full queue answers QUEUE_FULL at once and the accepted requests succeed") {
  auto daemon = start_daemon({.workers = 1, .queue_size = 2});
  Client client(daemon->socket_path());
  // All ten frames in one write, so they arrive together.
  std::string frames;
  for (std::uint64_t id = 1; id <= 10; ++id) {
    append_frame(render_request(id, unique_text("queue full")), frames);
  }
  client.send_raw(frames);

  int queue_full = 0;
  int stickers = 0;
  int full_after_success = 0;
  for (int i = 0; i < 10; ++i) {
    const v1::Reply reply = client.receive(60s);
    if (reply.has_sticker()) {
      ++stickers;
    } else if (reply.has_error() && reply.error().code() == v1::QUEUE_FULL) {
      ++queue_full;
      full_after_success += stickers > 0;
    } else {
      FAIL_CHECK("id ", reply.id(), " got ", describe(reply));
    }
  }
  // One task at the worker and two queued: at least seven have no place.
  CHECK(queue_full >= 7);
  CHECK(stickers >= 2);
  CHECK(queue_full + stickers == 10);
  CHECK_MESSAGE(full_after_success == 0, "QUEUE_FULL must not wait for a render to finish");
  CHECK(daemon->stats().rejected_queue_full() == static_cast<std::uint64_t>(queue_full));
}

TEST_CASE(
    "a length prefix above the maximum is answered FRAME_TOO_LARGE and the connection closed") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  client.send_raw(length_prefix(0xffffffffu) + "abc");
  const v1::Reply reply = client.receive(10s);
  REQUIRE_MESSAGE(reply.has_error(), describe(reply));
  CHECK(reply.error().code() == v1::FRAME_TOO_LARGE);
  v1::Reply extra;
  CHECK(client.receive(extra, 10s) == Client::Status::kClosed);
  check_still_serving(*daemon);
}

TEST_CASE(
    "a frame that is not a protobuf Request is answered INVALID_ARGUMENT and the connection "
    "closed") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  // A varint tag whose value never ends: no parser accepts it.
  const std::string payload = "\x08\xff\xff\xff";
  client.send_raw(length_prefix(static_cast<std::uint32_t>(payload.size())) + payload);
  const v1::Reply reply = client.receive(10s);
  REQUIRE_MESSAGE(reply.has_error(), describe(reply));
  CHECK(reply.error().code() == v1::INVALID_ARGUMENT);
  v1::Reply extra;
  CHECK(client.receive(extra, 10s) == Client::Status::kClosed);
  check_still_serving(*daemon);
}

TEST_CASE("text that is not valid UTF-8 is refused with INVALID_ARGUMENT") {
  auto daemon = start_daemon({.workers = 1});
  check_refused(*daemon, render_request(11, "bad \xc3\x28 bytes"), v1::INVALID_ARGUMENT);
}

TEST_CASE("empty text is refused with INVALID_ARGUMENT") {
  auto daemon = start_daemon({.workers = 1});
  check_refused(*daemon, render_request(12, ""), v1::INVALID_ARGUMENT);
}

TEST_CASE("text over the length limit is refused with TEXT_TOO_LONG") {
  auto daemon = start_daemon({.workers = 1});
  check_refused(*daemon, render_request(13, std::string(1000, 'a')), v1::TEXT_TOO_LONG);
}

TEST_CASE("an unknown style is refused with UNKNOWN_STYLE") {
  auto daemon = start_daemon({.workers = 1});
  check_refused(*daemon, render_request(14, "hello", "no-such-style"), v1::UNKNOWN_STYLE);
}

TEST_CASE("a format the style does not offer is refused with INVALID_ARGUMENT") {
  auto daemon = start_daemon({.workers = 1});
  check_refused(*daemon, render_request(15, "hello", "classic", v1::FORMAT_TGS),
                v1::INVALID_ARGUMENT);
}

TEST_CASE("a request with no kind is answered INVALID_ARGUMENT under the same id") {
  auto daemon = start_daemon({.workers = 1});
  v1::Request request;
  request.set_id(16);
  check_refused(*daemon, request, v1::INVALID_ARGUMENT);
}

TEST_CASE("a client that sends half a frame and vanishes leaves the daemon serving") {
  auto daemon = start_daemon({.workers = 1});
  {
    Client client(daemon->socket_path());
    const std::string frame = encode_frame(render_request(1, unique_text("half")));
    client.send_raw(std::string_view(frame).substr(0, frame.size() / 2));
  }
  check_still_serving(*daemon);
  // The vanished connection is gone from the books: only the stats one is left.
  v1::Stats stats;
  const bool cleaned = wait_until(
      [&] {
        stats = daemon->stats();
        return stats.connections() == 1;
      },
      10s);
  INFO("connections: ", stats.connections());
  CHECK(cleaned);
  CHECK(stats.tasks_completed() == 1);  // only check_still_serving's render
}

}  // namespace stickerd::itest
