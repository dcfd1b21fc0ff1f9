// Hostile and broken protocol use: malformed, truncated, nested and
// byte-by-byte frames, many frames in one write, a client that never reads,
// cancels mixed into a flood, half-sent frames, and duplicate in-flight ids.
// Each case checks the reply the client gets (docs/PROTOCOL.md, "Malformed
// frames") and the daemon's health afterwards: alive, a normal render
// succeeds, no worker restarted.

#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <memory>
#include <vector>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

// One protobuf field: `wire` 0 takes a varint body, 2 a length-delimited one.
std::string field(int number, int wire, const std::string& body) {
  std::string tag = varint(static_cast<std::uint64_t>(number << 3 | wire));
  return wire == 2 ? tag + varint(body.size()) + body : tag + body;
}

std::string frame_of(const std::string& payload) {
  return length_prefix(static_cast<std::uint32_t>(payload.size())) + payload;
}

std::string id_field(std::uint64_t id) { return field(1, 0, varint(id)); }

v1::Request list_styles_request(std::uint64_t id) {
  v1::Request r;
  r.set_id(id);
  r.mutable_list_styles();
  return r;
}

v1::Request cancel_request(std::uint64_t id, std::uint64_t target) {
  v1::Request r;
  r.set_id(id);
  r.mutable_cancel()->set_target_id(target);
  return r;
}

bool is_final(const v1::Reply& reply) { return !reply.has_batch_item(); }

// The daemon's health after an attack: alive, serving, the same workers.
void check_healthy(Daemon& daemon, const std::vector<pid_t>& workers_before) {
  CHECK_FALSE(daemon.process().exited());
  check_still_serving(daemon);
  CHECK(daemon.worker_pids() == workers_before);
  CHECK(daemon.stats().restarts() == 0);
}

// The reply to a connection-level error: id 0, `code`, then the close.
void check_refused_and_closed(Client& client, v1::ErrorCode code, const std::string& words) {
  v1::Reply reply;
  REQUIRE(client.receive(reply, 10s) == Client::Status::kReply);
  CHECK(reply.id() == 0);
  REQUIRE_MESSAGE(reply.has_error(), describe(reply));
  CHECK_MESSAGE(reply.error().code() == code, describe(reply));
  CHECK_MESSAGE(reply.error().message().find(words) != std::string::npos, describe(reply));
  CHECK(client.receive(reply, 10s) == Client::Status::kClosed);
}

// One bad request answered under its id: the connection stays open (a stats
// round trip on it still works).
void check_answered_and_open(Client& client, std::uint64_t id, const std::string& words) {
  const v1::Reply reply = client.receive(10s);
  CHECK(reply.id() == id);
  REQUIRE_MESSAGE(reply.has_error(), describe(reply));
  CHECK_MESSAGE(reply.error().code() == v1::INVALID_ARGUMENT, describe(reply));
  CHECK_MESSAGE(reply.error().message().find(words) != std::string::npos, describe(reply));
  const v1::Reply stats = client.call(stats_request(id + 1), 10s);
  CHECK_MESSAGE(stats.has_stats(), describe(stats));
}

}  // namespace

TEST_CASE(
    "malformed, truncated and nested frames get the documented reply and close only when they "
    "must") {
  auto daemon = start_daemon({.workers = 1});
  const std::vector<pid_t> workers = daemon->worker_pids();

  {  // A length-0 frame is a request with id 0: connection-level.
    Client c(daemon->socket_path());
    c.send_raw(length_prefix(0));
    check_refused_and_closed(c, v1::INVALID_ARGUMENT, "empty frame");
  }
  {  // A request that names no id.
    Client c(daemon->socket_path());
    c.send(stats_request(0));
    check_refused_and_closed(c, v1::INVALID_ARGUMENT, "id 0 is reserved");
  }
  {  // Not protobuf at all.
    Client c(daemon->socket_path());
    c.send_raw(frame_of(std::string(32, '\xff')));
    check_refused_and_closed(c, v1::INVALID_ARGUMENT, "not a protobuf message");
  }
  {  // Truncated: a field announces more bytes than the frame holds.
    Client c(daemon->socket_path());
    c.send_raw(frame_of(id_field(3) + "\x12\x50"
                                      "abc"));
    check_refused_and_closed(c, v1::INVALID_ARGUMENT, "not a protobuf message");
  }
  {  // Invalid UTF-8 in the text: one bad request, under its id.
    Client c(daemon->socket_path());
    c.send_raw(frame_of(id_field(5) + field(2, 2, field(1, 2, "ok\xc3\x28"))));
    check_answered_and_open(c, 5, "render.text is not valid UTF-8");
  }
  {  // A garbled render submessage: named as such, not as a UTF-8 problem.
    Client c(daemon->socket_path());
    c.send_raw(frame_of(id_field(7) + field(2, 2, "\xff\xff\xff")));
    const v1::Reply reply = c.receive(10s);
    CHECK(reply.id() == 7);
    CHECK_MESSAGE(
        reply.error().message().find("does not parse as a RenderRequest") != std::string::npos,
        describe(reply));
    CHECK(reply.error().message().find("UTF-8") == std::string::npos);
    CHECK(c.call(stats_request(8), 10s).has_stats());
  }
  {  // Nested 300 levels deep: refused like any malformed request, daemon unharmed.
    std::string inner = field(1, 2, "\xff");
    for (int i = 0; i < 300; ++i) inner = field(2, 2, inner);
    Client c(daemon->socket_path());
    c.send_raw(frame_of(id_field(9) + inner));
    v1::Reply reply;
    REQUIRE(c.receive(reply, 10s) == Client::Status::kReply);
    CHECK_MESSAGE(reply.error().code() == v1::INVALID_ARGUMENT, describe(reply));
    CHECK((reply.id() == 9 || reply.id() == 0));
  }
  {  // Nested start-group tags, deeper than protobuf follows: not protobuf.
    std::string groups;
    for (int i = 0; i < 300; ++i) groups += varint(2 << 3 | 3);
    for (int i = 0; i < 300; ++i) groups += varint(2 << 3 | 4);
    Client c(daemon->socket_path());
    c.send_raw(frame_of(id_field(10) + groups));
    v1::Reply reply;
    REQUIRE(c.receive(reply, 10s) == Client::Status::kReply);
    CHECK_MESSAGE(reply.error().code() == v1::INVALID_ARGUMENT, describe(reply));
  }
  {  // A client that leaves in the middle of a frame: nothing to answer.
    Client c(daemon->socket_path());
    c.send_raw(length_prefix(100) + std::string(10, 'x'));
    c.close();
  }
  {  // An unknown kind (field 99): under its id, connection open.
    Client c(daemon->socket_path());
    c.send_raw(frame_of(id_field(11) + field(99, 2, "")));
    check_answered_and_open(c, 11, "unrecognised request");
  }
  // Frames behind a connection-level error are not read.
  {
    Client c(daemon->socket_path());
    c.send_raw(length_prefix(0) + encode_frame(stats_request(12)));
    check_refused_and_closed(c, v1::INVALID_ARGUMENT, "empty frame");
  }
  check_healthy(*daemon, workers);
}

TEST_CASE("frames sent one byte per write are read and answered") {
  auto daemon = start_daemon({.workers = 1});
  const std::vector<pid_t> workers = daemon->worker_pids();
  Client c(daemon->socket_path());
  const std::string bytes = encode_frame(render_request(1, unique_text("byte by byte"))) +
                            encode_frame(stats_request(2)) + encode_frame(list_styles_request(3));
  for (char b : bytes) c.send_raw(std::string_view(&b, 1));
  std::map<std::uint64_t, v1::Reply> replies;
  for (int i = 0; i < 3; ++i) {
    v1::Reply r = c.receive(30s);
    replies[r.id()] = r;
  }
  CHECK_MESSAGE(replies[1].has_sticker(), describe(replies[1]));
  CHECK(replies[2].has_stats());
  CHECK(replies[3].has_styles());
  check_healthy(*daemon, workers);
}

TEST_CASE("200 frames in one write get 200 final replies, one per id") {
  auto daemon = start_daemon({.workers = 2});
  const std::vector<pid_t> workers = daemon->worker_pids();
  Client c(daemon->socket_path());
  // Four texts over 200 renders: single-flight and the cache answer most,
  // so the test is about framing, not rendering time.
  const std::string prefix = unique_text("burst");
  std::string bytes;
  for (std::uint64_t id = 1; id <= 200; ++id) {
    if (id % 10 == 0) {
      bytes += encode_frame(stats_request(id));
    } else {
      bytes += encode_frame(render_request(id, fmt::format("{} {}", prefix, id % 4)));
    }
  }
  c.send_raw(bytes);
  std::map<std::uint64_t, int> seen;
  int stickers = 0;
  for (int i = 0; i < 200; ++i) {
    const v1::Reply r = c.receive(60s);
    ++seen[r.id()];
    if (r.has_sticker()) ++stickers;
  }
  CHECK(seen.size() == 200);
  for (const auto& [id, n] : seen) CHECK_MESSAGE(n == 1, "id ", id, " answered ", n, " times");
  CHECK(stickers == 180);
  check_healthy(*daemon, workers);
}

TEST_CASE(
    "10,000 requests never read: the daemon closes that connection and its memory stays flat") {
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--max-write-buffer-mb", "1"}});
  const std::vector<pid_t> workers = daemon->worker_pids();
  const pid_t master = daemon->process().pid();
  const double rss_before = rss_mib(master);
  {
    Client reader_never(daemon->socket_path());
    std::string bytes;
    for (std::uint64_t id = 1; id <= 10'000; ++id) bytes += encode_frame(list_styles_request(id));
    reader_never.send_raw(bytes);
    // Each style list is kilobytes: long before the last request, the
    // unread replies pass --max-write-buffer-mb and the daemon hangs up.
    // Only the stats connection itself is left.
    REQUIRE(wait_until([&] { return daemon->stats().connections() == 1; }, 30s));
    std::size_t replies = 0;
    v1::Reply reply;
    while (reader_never.receive(reply, 10s) == Client::Status::kReply) ++replies;
    MESSAGE(fmt::format("the client that never read got {} of 10000 replies before the close",
                        replies));
    CHECK(replies < 10'000);
  }
  const double rss_after = rss_mib(master);
  MESSAGE(fmt::format("master RSS before {:.1f} MiB, after {:.1f} MiB", rss_before, rss_after));
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(rss_after < rss_before + 20);  // ASan's quarantine keeps freed memory
#endif
  check_healthy(*daemon, workers);
}

TEST_CASE("500 mixed requests with cancels get 500 final replies, none missing, none twice") {
  auto daemon = start_daemon({.workers = 2});
  const std::vector<pid_t> workers = daemon->worker_pids();
  Client c(daemon->socket_path());
  const std::string prefix = unique_text("mixed");
  std::string bytes;
  for (std::uint64_t id = 1; id <= 500; ++id) {
    switch (id % 5) {
      case 0:  // cancels the render sent just before it
        bytes += encode_frame(cancel_request(id, id - 1));
        break;
      case 1:
        bytes += encode_frame(stats_request(id));
        break;
      case 2:
        bytes += encode_frame(list_styles_request(id));
        break;
      default:
        bytes += encode_frame(render_request(id, fmt::format("{} {}", prefix, id % 13)));
    }
  }
  c.send_raw(bytes);
  std::map<std::uint64_t, int> finals;
  std::map<v1::ErrorCode, int> errors;
  for (int i = 0; i < 500; ++i) {
    const v1::Reply r = c.receive(60s);
    REQUIRE(is_final(r));
    ++finals[r.id()];
    if (r.has_error()) ++errors[r.error().code()];
  }
  CHECK(finals.size() == 500);
  CHECK(finals.begin()->first == 1);
  CHECK(finals.rbegin()->first == 500);
  for (const auto& [id, n] : finals) CHECK_MESSAGE(n == 1, "id ", id, " answered ", n, " times");
  for (const auto& [code, n] : errors) {
    CHECK_MESSAGE(code == v1::CANCELLED, v1::ErrorCode_Name(code), " x ", n);
  }
  v1::Reply extra;
  CHECK(c.receive(extra, 200ms) == Client::Status::kTimeout);  // nothing after the 500
  check_healthy(*daemon, workers);
}

TEST_CASE("50 slowloris connections holding half a frame do not stop others being served") {
  auto daemon = start_daemon({.workers = 1});
  const std::vector<pid_t> workers = daemon->worker_pids();
  const std::string frame = encode_frame(stats_request(1));
  std::vector<std::unique_ptr<Client>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<Client>(daemon->socket_path()));
    slow.back()->send_raw(std::string_view(frame).substr(0, frame.size() / 2));
  }
  REQUIRE(wait_until([&] { return daemon->stats().connections() == 51; }, 10s));
  check_still_serving(*daemon);
  // They were only slow: the rest of each frame is read and answered.
  for (auto& client : slow) client->send_raw(std::string_view(frame).substr(frame.size() / 2));
  for (auto& client : slow) {
    const v1::Reply r = client->receive(10s);
    CHECK(r.id() == 1);
    CHECK(r.has_stats());
  }
  slow.clear();
  check_healthy(*daemon, workers);
}

TEST_CASE(
    "a duplicate in-flight id is refused the same way for every kind; each id gets one final "
    "reply") {
  auto daemon = start_daemon({.workers = 1});
  const std::vector<pid_t> workers = daemon->worker_pids();

  // The case: five renders all with id 20 in one write.
  {
    Client c(daemon->socket_path());
    const std::string text = unique_text("dup");
    std::string bytes;
    for (int i = 0; i < 5; ++i) bytes += encode_frame(render_request(20, text));
    c.send_raw(bytes);
    std::vector<v1::Reply> replies;
    v1::Reply r;
    while (c.receive(r, 30s) == Client::Status::kReply) replies.push_back(r);
    REQUIRE(replies.size() == 2);  // the refusal, then the one render's sticker; then the close
    CHECK(replies[0].id() == 0);
    CHECK_MESSAGE(replies[0].error().code() == v1::INVALID_ARGUMENT, describe(replies[0]));
    CHECK(replies[0].error().message().find("already in flight") != std::string::npos);
    CHECK(replies[1].id() == 20);
    CHECK_MESSAGE(replies[1].has_sticker(), describe(replies[1]));
  }
  // Every kind behind a render in flight under the same id: stats and
  // list_styles (answered at once otherwise), cancel, render and batch.
  const std::vector<std::pair<const char*, v1::Request>> kinds = [] {
    v1::Request batch;
    batch.set_id(21);
    batch.mutable_batch()->set_text("dup batch");
    return std::vector<std::pair<const char*, v1::Request>>{
        {"stats", stats_request(21)},
        {"list_styles", list_styles_request(21)},
        {"cancel", cancel_request(21, 21)},
        {"render", render_request(21, "dup render")},
        {"batch", batch}};
  }();
  for (const auto& [name, duplicate] : kinds) {
    INFO("the duplicate is a ", name);
    Client c(daemon->socket_path());
    c.send_raw(encode_frame(render_request(21, unique_text("in flight"))) +
               encode_frame(duplicate));
    std::vector<v1::Reply> replies;
    v1::Reply r;
    while (c.receive(r, 30s) == Client::Status::kReply) replies.push_back(r);
    REQUIRE(replies.size() == 2);
    CHECK(replies[0].id() == 0);
    CHECK_MESSAGE(replies[0].error().code() == v1::INVALID_ARGUMENT, describe(replies[0]));
    CHECK(replies[1].id() == 21);
    CHECK_MESSAGE(replies[1].has_sticker(), describe(replies[1]));  // not cancelled by the dup
  }
  // An id whose request is answered is free again: four stats with id 21
  // in one write are four requests, each answered before the next is read.
  {
    Client c(daemon->socket_path());
    std::string bytes;
    for (int i = 0; i < 4; ++i) bytes += encode_frame(stats_request(21));
    c.send_raw(bytes);
    for (int i = 0; i < 4; ++i) {
      const v1::Reply reply = c.receive(10s);
      CHECK(reply.id() == 21);
      CHECK(reply.has_stats());
    }
    CHECK(c.call(render_request(22, unique_text("after")), 30s).has_sticker());
  }
  check_healthy(*daemon, workers);
}

}  // namespace stickerd::itest
