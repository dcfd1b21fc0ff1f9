// Overload and hostile clients: priorities and displacement in a full queue,
// per-connection limits, a client that never reads, and chaos (workers
// SIGKILLed under closed-loop load) with exactly one reply per request.
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

v1::Request prioritised(std::uint64_t id, v1::Priority priority, const std::string& style = "",
                        std::uint32_t deadline_ms = 0) {
  v1::Request r = render_request(id, unique_text("prio"), style);
  r.mutable_render()->set_priority(priority);
  r.mutable_render()->set_deadline_ms(deadline_ms);
  return r;
}

bool is_error(const v1::Reply& reply, v1::ErrorCode code) {
  return reply.has_error() && reply.error().code() == code;
}

}  // namespace

TEST_CASE("interactive requests overtake queued background ones and displace exactly the newest") {
  auto daemon = start_daemon({.workers = 1,
                              .queue_size = 4,
                              .extra_args = {"--enable-test-styles", "--deadline-ms", "60000"}});
  Client client(daemon->socket_path());
  // Occupy the only worker for 5 s (answered at its own 2 s deadline), so
  // everything after this waits in the queue.
  client.send(prioritised(1, v1::PRIORITY_INTERACTIVE, "test-slow", 2000));
  REQUIRE(wait_until([&] { return daemon->stats().busy_workers() == 1; }, 10s));
  for (std::uint64_t id = 10; id < 14; ++id) client.send(prioritised(id, v1::PRIORITY_BACKGROUND));
  REQUIRE(wait_until([&] { return daemon->stats().queue_size() == 4; }, 10s));

  // The queue is full: each interactive request pushes out the newest background one.
  client.send(prioritised(20, v1::PRIORITY_INTERACTIVE));
  v1::Reply r = client.receive(10s);
  CHECK(r.id() == 13);
  CHECK_MESSAGE(is_error(r, v1::QUEUE_FULL), describe(r));
  client.send(prioritised(21, v1::PRIORITY_INTERACTIVE));
  r = client.receive(10s);
  CHECK(r.id() == 12);
  CHECK_MESSAGE(is_error(r, v1::QUEUE_FULL), describe(r));
  // A background request cannot displace anyone: it is refused itself.
  client.send(prioritised(30, v1::PRIORITY_BACKGROUND));
  r = client.receive(10s);
  CHECK(r.id() == 30);
  CHECK_MESSAGE(is_error(r, v1::QUEUE_FULL), describe(r));

  // One worker: completion order is dispatch order.
  std::vector<std::uint64_t> order;
  for (int i = 0; i < 5; ++i) {
    r = client.receive(60s);
    order.push_back(r.id());
    if (r.id() == 1) {
      CHECK_MESSAGE(is_error(r, v1::DEADLINE_EXCEEDED), describe(r));
    } else {
      CHECK_MESSAGE(r.has_sticker(), r.id(), ": ", describe(r));
    }
  }
  CHECK(order == std::vector<std::uint64_t>{1, 20, 21, 10, 11});
  v1::Reply none;
  CHECK(client.receive(none, 300ms) == Client::Status::kTimeout);  // nothing answered twice
}

v1::Request batch_of(std::uint64_t id, v1::Priority priority, std::vector<std::string> styles) {
  v1::Request r;
  r.set_id(id);
  v1::BatchRequest* b = r.mutable_batch();
  b->set_text(unique_text("batch prio"));
  for (auto& s : styles) b->add_style_ids(std::move(s));
  b->set_priority(priority);
  return r;
}

TEST_CASE(
    "batch items keep their batch's priority: they displace lower work and are displaced by "
    "higher") {
  auto daemon = start_daemon({.workers = 1,
                              .queue_size = 4,
                              .extra_args = {"--enable-test-styles", "--deadline-ms", "60000"}});
  Client client(daemon->socket_path());
  client.send(prioritised(1, v1::PRIORITY_INTERACTIVE, "test-slow", 2000));  // holds the worker
  REQUIRE(wait_until([&] { return daemon->stats().busy_workers() == 1; }, 10s));

  SUBCASE("an interactive batch displaces exactly the newest background renders, one per item") {
    for (std::uint64_t id = 10; id < 14; ++id)
      client.send(prioritised(id, v1::PRIORITY_BACKGROUND));
    REQUIRE(wait_until([&] { return daemon->stats().queue_size() == 4; }, 10s));
    client.send(batch_of(40, v1::PRIORITY_INTERACTIVE, {"classic", "neon"}));
    std::vector<std::uint64_t> displaced;
    for (int i = 0; i < 2; ++i) {
      const v1::Reply r = client.receive(10s);
      CHECK_MESSAGE(is_error(r, v1::QUEUE_FULL), r.id(), ": ", describe(r));
      displaced.push_back(r.id());
    }
    CHECK(displaced == std::vector<std::uint64_t>{13, 12});
    // One worker: completion order is dispatch order, and the batch goes first.
    std::vector<std::string> order;
    for (int i = 0; i < 6; ++i) {
      const v1::Reply r = client.receive(60s);
      std::string what = std::to_string(r.id());
      if (r.has_batch_item()) {
        what += fmt::format(" item {}", r.batch_item().index());
        CHECK_MESSAGE(r.batch_item().has_sticker(), what);
      } else if (r.has_batch_done()) {
        what += " done";
        CHECK(r.batch_done().count() == 2);
        CHECK(r.batch_done().succeeded() == 2);
      } else if (r.id() != 1) {
        CHECK_MESSAGE(r.has_sticker(), what, ": ", describe(r));
      }
      order.push_back(what);
    }
    CHECK(order == std::vector<std::string>{"1", "40 item 0", "40 item 1", "40 done", "10", "11"});
  }

  SUBCASE(
      "an interactive render displaces the newest item of a background batch, which still ends") {
    client.send(prioritised(11, v1::PRIORITY_BACKGROUND));
    client.send(batch_of(40, v1::PRIORITY_BACKGROUND, {"classic", "neon", "glow"}));
    REQUIRE(wait_until([&] { return daemon->stats().queue_size() == 4; }, 10s));
    client.send(prioritised(50, v1::PRIORITY_INTERACTIVE));
    const v1::Reply r = client.receive(10s);
    CHECK(r.id() == 40);
    REQUIRE(r.has_batch_item());
    CHECK(r.batch_item().index() == 2);
    CHECK(r.batch_item().style_id() == "glow");
    CHECK_MESSAGE(r.batch_item().error().code() == v1::QUEUE_FULL,
                  r.batch_item().error().message());
    std::vector<std::string> order;
    for (int i = 0; i < 6; ++i) {
      const v1::Reply next = client.receive(60s);
      std::string what = std::to_string(next.id());
      if (next.has_batch_item()) {
        what += fmt::format(" item {}", next.batch_item().index());
        CHECK_MESSAGE(next.batch_item().has_sticker(), what);
      } else if (next.has_batch_done()) {
        what += " done";
        CHECK(next.batch_done().count() == 3);
        CHECK(next.batch_done().succeeded() == 2);
      }
      order.push_back(what);
    }
    CHECK(order == std::vector<std::string>{"1", "50", "11", "40 item 0", "40 item 1", "40 done"});
  }
  v1::Reply none;
  CHECK(client.receive(none, 300ms) == Client::Status::kTimeout);  // nothing answered twice
}

TEST_CASE("an interactive request sharing a queued background render lifts it to its own class") {
  auto daemon = start_daemon({.workers = 1,
                              .queue_size = 3,
                              .extra_args = {"--enable-test-styles", "--deadline-ms", "60000"}});
  Client client(daemon->socket_path());
  client.send(prioritised(1, v1::PRIORITY_INTERACTIVE, "test-slow", 2000));  // holds the worker
  REQUIRE(wait_until([&] { return daemon->stats().busy_workers() == 1; }, 10s));
  const std::string shared = unique_text("shared");
  auto with_text = [&](std::uint64_t id, v1::Priority priority, const std::string& text) {
    v1::Request r = render_request(id, text);
    r.mutable_render()->set_priority(priority);
    return r;
  };
  client.send(prioritised(10, v1::PRIORITY_BACKGROUND));
  client.send(prioritised(11, v1::PRIORITY_BACKGROUND));
  client.send(with_text(12, v1::PRIORITY_BACKGROUND, shared));
  REQUIRE(wait_until([&] { return daemon->stats().queue_size() == 3; }, 10s));
  client.send(with_text(20, v1::PRIORITY_INTERACTIVE, shared));  // joins 12's render
  REQUIRE(wait_until([&] { return daemon->stats().cache_joined() == 1; }, 10s));
  // The queue is full: the newest background task still below interactive is 11's.
  client.send(prioritised(21, v1::PRIORITY_INTERACTIVE));
  const v1::Reply displaced = client.receive(10s);
  CHECK(displaced.id() == 11);
  CHECK_MESSAGE(is_error(displaced, v1::QUEUE_FULL), describe(displaced));
  std::vector<std::uint64_t> order;
  for (int i = 0; i < 5; ++i) {
    const v1::Reply r = client.receive(60s);
    order.push_back(r.id());
    if (r.id() != 1) CHECK_MESSAGE(r.has_sticker(), r.id(), ": ", describe(r));
  }
  // 12 and 20 share one render, dispatched in 20's class and turn.
  CHECK(order == std::vector<std::uint64_t>{1, 12, 20, 21, 10});
}

TEST_CASE("per-connection limits: connections and requests in flight") {
  auto daemon = start_daemon({.workers = 1,
                              .extra_args = {"--enable-test-styles", "--max-connections", "2",
                                             "--max-inflight", "2", "--deadline-ms", "3000"}});
  SUBCASE("a connection over the limit gets an error reply, then is closed") {
    // No stats() here: its own connection would count against the limit.
    Client a(daemon->socket_path());
    Client b(daemon->socket_path());
    REQUIRE(a.call(stats_request(1), 10s).has_stats());  // both are accepted and counted
    REQUIRE(b.call(stats_request(1), 10s).has_stats());
    Client c(daemon->socket_path());
    v1::Reply reply;
    REQUIRE(c.receive(reply, 10s) == Client::Status::kReply);
    CHECK(reply.id() == 0);
    CHECK_MESSAGE(is_error(reply, v1::CONNECTION_LIMIT), describe(reply));
    CHECK(reply.error().message().find("connections") != std::string::npos);
    CHECK(c.receive(reply, 10s) == Client::Status::kClosed);
    // The ones within the limit are unaffected.
    const v1::Reply ok = a.call(render_request(1, unique_text("within limit")), 30s);
    CHECK_MESSAGE(ok.has_sticker(), describe(ok));
  }
  SUBCASE("a request over the in-flight limit is refused with a clear message") {
    Client a(daemon->socket_path());
    a.send(prioritised(1, v1::PRIORITY_INTERACTIVE, "test-hang", 1000));
    a.send(prioritised(2, v1::PRIORITY_INTERACTIVE));
    a.send(prioritised(3, v1::PRIORITY_INTERACTIVE));
    v1::Reply r = a.receive(10s);
    CHECK(r.id() == 3);
    CHECK_MESSAGE(is_error(r, v1::QUEUE_FULL), describe(r));
    CHECK(r.error().message().find("pending") != std::string::npos);
    std::map<std::uint64_t, int> rest;
    for (int i = 0; i < 2; ++i) ++rest[a.receive(30s).id()];
    CHECK(rest == std::map<std::uint64_t, int>{{1, 1}, {2, 1}});
  }
}

TEST_CASE("cancel and disconnect remove queued work; running work finishes and is discarded") {
  auto daemon = start_daemon(
      {.workers = 1, .extra_args = {"--enable-test-styles", "--deadline-ms", "60000"}});
  Client owner(daemon->socket_path());
  owner.send(prioritised(1, v1::PRIORITY_INTERACTIVE, "test-slow", 2000));  // holds the worker
  REQUIRE(wait_until([&] { return daemon->stats().busy_workers() == 1; }, 10s));

  // An explicit cancel of a queued request: CANCELLED for it, found for the cancel.
  owner.send(prioritised(2, v1::PRIORITY_INTERACTIVE));
  v1::Request cancel;
  cancel.set_id(3);
  cancel.mutable_cancel()->set_target_id(2);
  owner.send(cancel);
  std::map<std::uint64_t, v1::Reply> got;
  for (int i = 0; i < 2; ++i) {
    v1::Reply r = owner.receive(10s);
    got[r.id()] = r;
  }
  CHECK_MESSAGE(is_error(got[2], v1::CANCELLED), describe(got[2]));
  CHECK(got[3].has_cancel());
  CHECK(got[3].cancel().found());

  // A client that leaves: its queued requests go with it, unrendered.
  {
    Client leaver(daemon->socket_path());
    for (std::uint64_t id = 10; id < 15; ++id)
      leaver.send(prioritised(id, v1::PRIORITY_INTERACTIVE));
    REQUIRE(wait_until([&] { return daemon->stats().queue_size() == 5; }, 10s));
  }
  CHECK(wait_until([&] { return daemon->stats().queue_size() == 0; }, 10s));
  const std::uint64_t completed = daemon->stats().tasks_completed();
  const v1::Reply slow = owner.receive(30s);  // answered at its own deadline
  CHECK(slow.id() == 1);
  CHECK(wait_until([&] { return daemon->stats().ready_workers() == 1; }, 30s));
  check_still_serving(*daemon);
  CHECK(daemon->stats().tasks_completed() == completed + 1);  // only the check's own render
  v1::Reply none;
  CHECK(owner.receive(none, 300ms) == Client::Status::kTimeout);
}

TEST_CASE("a client that never reads is disconnected at the buffer limit; others are unaffected") {
  auto daemon =
      start_daemon({.workers = 2,
                    .queue_size = 1000,
                    .extra_args = {"--max-write-buffer-mb", "1", "--max-inflight", "1000"}});
  Client slow(daemon->socket_path());
  // PNG at full size without a profile cap: large replies, so the limit comes quickly.
  int sent = 0;
  for (; sent < 400; ++sent) {
    v1::Request r = render_request(static_cast<std::uint64_t>(sent + 1),
                                   unique_text("a slow reader's sticker with a longer text"), "",
                                   v1::FORMAT_PNG);
    r.mutable_render()->set_profile(v1::PROFILE_NONE);
    slow.send(r);
  }
  Client other(daemon->socket_path());
  const v1::Reply ok = other.call(render_request(1, unique_text("meanwhile")), 60s);
  CHECK_MESSAGE(ok.has_sticker(), describe(ok));
  // The slow client's connection goes away (its pending requests with it).
  const bool cut = wait_until([&] { return daemon->stats().connections() <= 2; }, 120s);
  CHECK(cut);
  CHECK(wait_until([&] { return daemon->stats().queue_size() == 0; }, 60s));
  check_still_serving(*daemon);
  CHECK(daemon->process().exited() == false);
}

TEST_CASE(
    "chaos: workers SIGKILLed every 200 ms under load; every request gets exactly one reply") {
  constexpr unsigned kWorkers = 3;
  constexpr int kConnections = 4;
  constexpr auto kDuration = 30s;
  auto daemon = start_daemon({.workers = kWorkers, .queue_size = 100});

  struct Log {
    std::uint64_t accepted = 0;  // requests sent (the daemon answers each one)
    std::map<std::uint64_t, int> replies;
    std::map<std::string, int> codes;
    std::string failure;
  };
  std::vector<Log> logs(kConnections);
  std::atomic<bool> stop{false};
  std::vector<std::jthread> threads;
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      Log& log = logs[c];
      try {
        Client client(daemon->socket_path());
        // Ids start at 1: id 0 is reserved for connection-level errors.
        std::uint64_t next = static_cast<std::uint64_t>(c) * 1'000'000 + 1;
        int outstanding = 0;
        while (!stop || outstanding > 0) {
          while (!stop && outstanding < 4) {  // closed loop: 4 in flight per connection
            client.send(render_request(next++, unique_text("chaos")));
            ++log.accepted;
            ++outstanding;
          }
          const v1::Reply reply = client.receive(90s);
          --outstanding;
          ++log.replies[reply.id()];
          ++log.codes[reply.has_sticker() ? "OK" : v1::ErrorCode_Name(reply.error().code())];
        }
      } catch (const HarnessError& e) {
        log.failure = e.what();
      }
    });
  }

  std::mt19937 random(4242);
  int kills = 0;
  const auto end = Clock::now() + kDuration;
  while (Clock::now() < end) {
    // Only READY workers: killing one in warm-up would test nothing new.
    const auto pids = daemon->worker_pids();
    if (daemon->stats().ready_workers() > 0 && !pids.empty()) {
      if (::kill(pids[random() % pids.size()], SIGKILL) == 0) ++kills;
    }
    std::this_thread::sleep_for(200ms);  // the pace of the chaos, not a synchronisation
  }
  stop = true;
  for (auto& t : threads) t.join();

  std::uint64_t accepted = 0, replies = 0;
  std::map<std::string, int> codes;
  for (int c = 0; c < kConnections; ++c) {
    INFO("connection ", c);
    CHECK_MESSAGE(logs[c].failure.empty(), logs[c].failure);
    accepted += logs[c].accepted;
    for (const auto& [id, n] : logs[c].replies) {
      CHECK_MESSAGE(n == 1, "id ", id, " answered ", n, " times");
      replies += static_cast<std::uint64_t>(n);
    }
    CHECK(logs[c].replies.size() == logs[c].accepted);
    for (const auto& [code, n] : logs[c].codes) codes[code] += n;
  }
  std::string summary;
  for (const auto& [code, n] : codes) summary += fmt::format(" {}={}", code, n);
  MESSAGE("chaos: ", kills, " kills, ", accepted, " accepted, ", replies, " replies:", summary);
  CHECK(accepted == replies);
  CHECK(codes["OK"] > 0);
  CHECK(kills > 0);
  for (const auto& [code, n] : codes) {
    // A SIGKILL says nothing about the request: never POISONED.
    CHECK_MESSAGE((code == "OK" || code == "WORKER_CRASHED" || code == "DEADLINE_EXCEEDED"),
                  "unexpected code ", code);
  }
  CHECK_FALSE(daemon->process().exited());
  v1::Stats stats;
  CHECK(wait_until(
      [&] {
        stats = daemon->stats();
        return stats.ready_workers() == kWorkers;
      },
      30s));
  CHECK(daemon->worker_pids().size() == kWorkers);
  MESSAGE("restarts ", stats.restarts(), ", retries ", stats.retries(), ", backoff slots now ",
          stats.backoff_slots());
  check_still_serving(*daemon);
}

}  // namespace stickerd::itest
