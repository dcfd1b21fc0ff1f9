// Unit tests for master/requests/reply_router with the request book: the
// promise that every accepted request gets exactly one final reply, driven
// from memory through settle, cancel, connection-gone and duplicate-settle
// sequences, with a reply sink that records what each connection got.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <vector>

#include "master/ops/metrics.h"
#include "master/requests/reply_router.h"
#include "master/requests/request_book.h"

using namespace stickerd;

namespace {

struct Sent {
  std::uint64_t connection_id;
  v1::Reply reply;
};

class RecordingSink : public ReplySink {
 public:
  void send(std::uint64_t connection_id, const v1::Reply& reply) override {
    if (gone.count(connection_id) != 0) return;  // as ClientConnections: nothing to a closed one
    sent.push_back({connection_id, reply});
  }
  void final_reply_sent(std::uint64_t connection_id) override { ++final_signals[connection_id]; }

  // Final replies per (connection, client id): every kind but batch_item.
  std::map<std::pair<std::uint64_t, std::uint64_t>, int> finals() const {
    std::map<std::pair<std::uint64_t, std::uint64_t>, int> n;
    for (const Sent& s : sent) {
      if (!s.reply.has_batch_item()) ++n[{s.connection_id, s.reply.id()}];
    }
    return n;
  }
  std::vector<Sent> sent;
  std::map<std::uint64_t, int> final_signals;
  std::map<std::uint64_t, int> gone;
};

v1::TaskResult sticker() {
  v1::TaskResult r;
  r.mutable_sticker()->set_data("webp");
  return r;
}

v1::TaskResult failure(ErrorCode code) {
  v1::TaskResult r;
  r.mutable_error()->set_code(code);
  r.mutable_error()->set_message("no");
  return r;
}

v1::Reply cancelled() {
  v1::Reply reply;
  reply.mutable_error()->set_code(v1::CANCELLED);
  return reply;
}

struct Fixture {
  RequestBook book;
  RecordingSink sink;
  Metrics metrics;
  ReplyRouter router{book, sink, metrics};

  std::uint64_t render(std::uint64_t connection, std::uint64_t id) {
    PendingRequest* r = book.open(connection, id, PendingRequest::Kind::kRender);
    REQUIRE(r != nullptr);
    r->outstanding = 1;
    return r->serial;
  }
  std::uint64_t batch(std::uint64_t connection, std::uint64_t id, std::uint32_t items) {
    PendingRequest* r = book.open(connection, id, PendingRequest::Kind::kBatch);
    REQUIRE(r != nullptr);
    r->batch_count = items;
    r->outstanding = items;
    return r->serial;
  }
};

}  // namespace

TEST_CASE("a render settled twice gets one final reply, and its connection hears it once") {
  Fixture f;
  const auto serial = f.render(1, 10);
  f.router.route(serial, 0, "classic", sticker());
  f.router.route(serial, 0, "classic", failure(v1::INTERNAL));  // a duplicate settle
  REQUIRE(f.sink.sent.size() == 1);
  CHECK(f.sink.sent[0].reply.id() == 10);
  CHECK(f.sink.sent[0].reply.has_sticker());
  CHECK(f.sink.final_signals[1] == 1);
  CHECK(f.book.empty());
}

TEST_CASE("a result with neither sticker nor error is answered INTERNAL, still once") {
  Fixture f;
  const auto serial = f.render(1, 10);
  f.router.route(serial, 0, "classic", v1::TaskResult{});
  REQUIRE(f.sink.sent.size() == 1);
  CHECK(f.sink.sent[0].reply.error().code() == v1::INTERNAL);
}

TEST_CASE("a batch gets one item per task and one batch_done after the last, whatever comes late") {
  Fixture f;
  const auto serial = f.batch(1, 20, 3);
  f.router.route(serial, 2, "b", sticker());
  f.router.route(serial, 0, "a", failure(v1::UNSUPPORTED_TEXT));
  CHECK(f.sink.finals().empty());
  f.router.route(serial, 1, "c", sticker());
  f.router.route(serial, 1, "c", sticker());  // after the batch is done: nothing
  REQUIRE(f.sink.sent.size() == 4);
  CHECK(f.sink.sent[0].reply.batch_item().index() == 2);
  CHECK(f.sink.sent[1].reply.batch_item().error().code() == v1::UNSUPPORTED_TEXT);
  const v1::Reply& done = f.sink.sent[3].reply;
  REQUIRE(done.has_batch_done());
  CHECK(done.id() == 20);
  CHECK(done.batch_done().count() == 3);
  CHECK(done.batch_done().succeeded() == 2);
  CHECK(f.sink.finals().at({1, 20}) == 1);
  CHECK(f.sink.final_signals[1] == 1);
}

TEST_CASE("a cancelled request gets CANCELLED once; its late result is dropped") {
  Fixture f;
  const auto serial = f.render(1, 30);
  f.router.finish(serial, cancelled());
  f.router.finish(serial, cancelled());  // a second cancel finds nothing
  f.router.route(serial, 0, "classic", sticker());
  REQUIRE(f.sink.sent.size() == 1);
  CHECK(f.sink.sent[0].reply.error().code() == v1::CANCELLED);
  CHECK(f.sink.sent[0].reply.id() == 30);
}

TEST_CASE("a cancelled batch is done: items settled after the cancel are not sent") {
  Fixture f;
  const auto serial = f.batch(1, 40, 2);
  f.router.route(serial, 0, "a", sticker());
  f.router.finish(serial, cancelled());
  f.router.route(serial, 1, "b", sticker());
  REQUIRE(f.sink.sent.size() == 2);
  CHECK(f.sink.sent[1].reply.error().code() == v1::CANCELLED);
  CHECK(f.sink.finals().at({1, 40}) == 1);
}

TEST_CASE(
    "when a connection goes, its requests leave the book and nothing more is sent; others are "
    "answered") {
  Fixture f;
  const auto mine = f.render(1, 50);
  const auto my_batch = f.batch(1, 51, 2);
  const auto theirs = f.render(2, 50);  // the same client id on another connection
  f.router.route(my_batch, 0, "a", sticker());
  f.sink.gone[1] = 1;
  CHECK(f.book.take_connection(1).size() == 2);
  f.router.route(mine, 0, "classic", sticker());
  f.router.route(my_batch, 1, "b", sticker());
  f.router.route(theirs, 0, "classic", sticker());
  REQUIRE(f.sink.sent.size() == 2);  // the batch item sent before the close, and theirs
  CHECK(f.sink.sent[1].connection_id == 2);
  CHECK(f.sink.final_signals.count(1) == 0);
  CHECK(f.book.empty());
}

TEST_CASE(
    "random settle, cancel, disconnect and duplicate sequences: exactly one final reply per "
    "accepted request") {
  std::mt19937 rng(12);
  for (int round = 0; round < 200; ++round) {
    Fixture f;
    struct Accepted {
      std::uint64_t connection, id, serial;
      std::uint32_t items;  // 0: a render
    };
    std::vector<Accepted> accepted;
    for (std::uint64_t id = 1; id <= 12; ++id) {
      const std::uint64_t connection = 1 + rng() % 3;
      const std::uint32_t items = rng() % 2 == 0 ? 0 : 1 + rng() % 3;
      const auto serial = items == 0 ? f.render(connection, id) : f.batch(connection, id, items);
      accepted.push_back({connection, id, serial, items});
    }
    for (int step = 0; step < 60; ++step) {
      const Accepted& a = accepted[rng() % accepted.size()];
      switch (rng() % 10) {
        case 0:
          f.router.finish(a.serial, cancelled());
          break;
        case 1:
          if (rng() % 4 == 0) {
            f.sink.gone[a.connection] = 1;
            f.book.take_connection(a.connection);
          }
          break;
        default: {  // a task's outcome, possibly a duplicate of one already settled
          const std::uint32_t index = a.items == 0 ? 0 : rng() % a.items;
          f.router.route(a.serial, index, "s", rng() % 3 == 0 ? failure(v1::INTERNAL) : sticker());
        }
      }
    }
    // Whatever is still booked is settled now (the daemon's drain does this).
    for (std::uint64_t serial : f.book.serials()) f.router.finish(serial, cancelled());
    CHECK(f.book.empty());
    const auto finals = f.sink.finals();
    for (const Accepted& a : accepted) {
      const auto it = finals.find({a.connection, a.id});
      const int n = it == finals.end() ? 0 : it->second;
      if (f.sink.gone.count(a.connection) != 0) {
        CHECK(n <= 1);  // answered before its client left, or forgotten with it
      } else {
        CHECK(n == 1);
      }
    }
    int final_count = 0;
    for (const auto& [connection, n] : f.sink.final_signals) final_count += n;
    int sent_finals = 0;
    for (const auto& [key, n] : finals) sent_finals += n;
    CHECK(final_count >= sent_finals);  // every final reply sent was signalled
  }
}
