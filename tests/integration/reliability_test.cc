// Supervision under misbehaving requests: deadlines (hang), retries and
// poison (crash, exit), recycling (leak, task count). Each test drives the
// real daemon with the test styles enabled (common/test_styles.h).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

v1::Request test_render(std::uint64_t id, const std::string& style, const std::string& text,
                        std::uint32_t deadline_ms = 0) {
  v1::Request r = render_request(id, text, style);
  r.mutable_render()->set_deadline_ms(deadline_ms);
  return r;
}

bool is_error(const v1::Reply& reply, v1::ErrorCode code) {
  return reply.has_error() && reply.error().code() == code;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("a hung render gets DEADLINE_EXCEEDED near its deadline while other clients are served") {
  auto daemon =
      start_daemon({.workers = 2, .extra_args = {"--enable-test-styles", "--deadline-ms", "1500"}});
  Client hung(daemon->socket_path());
  const auto start = Clock::now();
  hung.send(test_render(1, "test-hang", unique_text("hang")));

  // The other worker keeps serving meanwhile.
  Client other(daemon->socket_path());
  for (std::uint64_t i = 0; i < 3; ++i) {
    const v1::Reply r = other.call(render_request(10 + i, unique_text("beside the hang")), 30s);
    CHECK_MESSAGE(r.has_sticker(), describe(r));
  }

  const v1::Reply reply = hung.receive(20s);
  const double waited = seconds_since(start);
  CHECK(reply.id() == 1);
  CHECK_MESSAGE(is_error(reply, v1::DEADLINE_EXCEEDED), describe(reply));
  MESSAGE("the hung request was answered after ", waited, " s (deadline 1.5 s)");
  CHECK(waited >= 1.4);
  CHECK(waited < 10.0);  // generous: the point is "near the deadline", not precision

  v1::Stats stats;
  CHECK(wait_until(
      [&] {
        stats = daemon->stats();
        return stats.ready_workers() == 2;
      },
      30s));
  CHECK(stats.restarts_deadline() == 1);
  CHECK(stats.deadline_exceeded() == 1);
  CHECK(stats.retries() == 0);  // a deadline is never retried
  check_still_serving(*daemon);
}

TEST_CASE("a request may ask for a shorter deadline, and queue time counts") {
  auto daemon =
      start_daemon({.workers = 1, .extra_args = {"--enable-test-styles", "--deadline-ms", "8000"}});
  Client client(daemon->socket_path());
  const auto start = Clock::now();
  client.send(test_render(1, "test-hang", unique_text("short hang"), 1000));
  // The only worker hangs, so this one waits in the queue past its 300 ms.
  client.send(test_render(2, "", unique_text("queued too long"), 300));
  const v1::Reply first = client.receive(20s);
  CHECK(first.id() == 2);
  CHECK_MESSAGE(is_error(first, v1::DEADLINE_EXCEEDED), describe(first));
  CHECK(first.error().message().find("queued") != std::string::npos);
  CHECK(seconds_since(start) < 1.0 + 5.0);
  const v1::Reply second = client.receive(20s);
  CHECK(second.id() == 1);
  CHECK_MESSAGE(is_error(second, v1::DEADLINE_EXCEEDED), describe(second));
  CHECK(seconds_since(start) < 6.0);  // its own 1 s, not the daemon's 8 s
  // Still hung at the daemon's deadline: its worker is killed then.
  CHECK(wait_until([&] { return daemon->stats().restarts_deadline() == 1; }, 30s));
  CHECK(wait_until([&] { return daemon->stats().idle_workers() == 1; }, 30s));
}

TEST_CASE("a client's short deadline costs no worker; a render hung past it does") {
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--enable-test-styles"}});
  const std::vector<pid_t> workers_before = daemon->worker_pids();
  Client client(daemon->socket_path());
  // An animation takes hundreds of ms, far past a 1 ms deadline.
  v1::Request animation = render_request(1, unique_text("short deadline"), "bounce");
  animation.mutable_render()->set_format(v1::FORMAT_WEBP_ANIMATED);
  animation.mutable_render()->set_profile(v1::PROFILE_WHATSAPP);
  animation.mutable_render()->set_deadline_ms(1);
  const v1::Reply reply = client.call(animation, 30s);
  CHECK_MESSAGE(is_error(reply, v1::DEADLINE_EXCEEDED), describe(reply));
  // The worker finishes the render and stays: no restart, the same pid.
  CHECK(wait_until([&] { return daemon->stats().idle_workers() == 1; }, 30s));
  v1::Stats stats = daemon->stats();
  CHECK(stats.restarts() == 0);
  CHECK(stats.restarts_deadline() == 0);
  CHECK(daemon->worker_pids() == workers_before);
  // Exactly one final reply: the finished render sends the client nothing.
  v1::Reply extra;
  CHECK(client.receive(extra, 300ms) == Client::Status::kTimeout);

  // A render still going at the daemon's deadline is hung, whatever the
  // client asked for: killed then.
  client.send(test_render(2, "test-hang", unique_text("hang past a short deadline"), 300));
  const v1::Reply hung = client.receive(20s);
  CHECK(hung.id() == 2);
  CHECK_MESSAGE(is_error(hung, v1::DEADLINE_EXCEEDED), describe(hung));
  CHECK(wait_until([&] { return daemon->stats().restarts_deadline() == 1; }, 30s));
  CHECK(client.receive(extra, 300ms) == Client::Status::kTimeout);
  check_still_serving(*daemon);
}

TEST_CASE("a request that crashes workers is retried, then POISONED and refused at once") {
  auto daemon = start_daemon({.workers = 2, .extra_args = {"--enable-test-styles"}});
  Client client(daemon->socket_path());
  const std::string text = unique_text("poison");
  const v1::Reply first = client.call(test_render(1, "test-crash", text), 60s);
  CHECK_MESSAGE(is_error(first, v1::POISONED), describe(first));

  v1::Stats before = daemon->stats();
  CHECK(before.retries() == 1);  // --max-retries 1: one more worker died trying
  CHECK(before.restarts() == 2);
  CHECK(before.poison_entries() == 1);

  const auto start = Clock::now();
  const v1::Reply again = client.call(test_render(2, "test-crash", text), 10s);
  CHECK_MESSAGE(is_error(again, v1::POISONED), describe(again));
  CHECK(seconds_since(start) < 2.0);  // no worker, no render
  // A different text in the same style is a different request: it crashes anew.
  CHECK(wait_until([&] { return daemon->stats().ready_workers() == 2; }, 30s));
  const v1::Stats after = daemon->stats();
  CHECK(after.restarts() == before.restarts());  // no worker died for the refusal
  CHECK(after.poisoned() == 2);

  v1::Request list;
  list.set_id(3);
  list.mutable_list_poison();
  const v1::Reply listed = client.call(list, 10s);
  REQUIRE(listed.has_poison());
  REQUIRE(listed.poison().entries_size() == 1);
  const v1::PoisonEntry& e = listed.poison().entries(0);
  CHECK(e.style_id() == "test-crash");
  CHECK(e.term_signal() == 6);  // SIGABRT
  CHECK(e.kills() == 2);
  CHECK(e.refused() == 1);
  CHECK(e.expires_in_seconds() > 500.0);

  const CtlRun ctl = run_stickerctl({"poison", "--socket", daemon->socket_path()}, daemon->dir());
  CHECK_MESSAGE(ctl.exit_code == 0, ctl.err);
  CHECK(ctl.out.find("test-crash") != std::string::npos);
  CHECK(ctl.out.find("Aborted") != std::string::npos);
  check_still_serving(*daemon);
}

TEST_CASE("a request that makes workers exit is poisoned with the exit code as the reason") {
  auto daemon =
      start_daemon({.workers = 1, .extra_args = {"--enable-test-styles", "--max-retries", "0"}});
  Client client(daemon->socket_path());
  const v1::Reply reply = client.call(test_render(1, "test-exit", unique_text("exit")), 60s);
  CHECK_MESSAGE(is_error(reply, v1::POISONED), describe(reply));
  CHECK(daemon->stats().retries() == 0);
  v1::Request list;
  list.set_id(2);
  list.mutable_list_poison();
  const v1::Reply listed = client.call(list, 10s);
  REQUIRE(listed.poison().entries_size() == 1);
  CHECK(listed.poison().entries(0).term_signal() == 0);
  CHECK(listed.poison().entries(0).exit_code() == 3);
  check_still_serving(*daemon);
}

TEST_CASE("test styles do not exist without --enable-test-styles") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  for (const char* style : {"test-crash", "test-hang", "test-leak", "test-exit"}) {
    const v1::Reply reply = client.call(test_render(1, style, unique_text("no chaos")), 10s);
    CHECK_MESSAGE(is_error(reply, v1::UNKNOWN_STYLE), style, ": ", describe(reply));
  }
  CHECK(daemon->stats().restarts() == 0);
}

TEST_CASE("a leaking worker is recycled past the RSS limit and no request fails") {
  auto daemon = start_daemon(
      {.workers = 1, .extra_args = {"--enable-test-styles", "--max-worker-rss-mb", "150"}});
  Client client(daemon->socket_path());
  for (std::uint64_t i = 0; i < 8; ++i) {
    // Each keeps 40 MiB: the worker passes 150 MiB within a few tasks.
    const v1::Reply r = client.call(test_render(i + 1, "test-leak", unique_text("40 leak")), 60s);
    CHECK_MESSAGE(r.has_sticker(), "request ", i + 1, ": ", describe(r));
  }
  v1::Stats stats;
  CHECK(wait_until(
      [&] {
        stats = daemon->stats();
        return stats.recycled_workers() >= 1 && stats.ready_workers() == 1;
      },
      30s));
  MESSAGE(stats.recycled_workers(), " recycles");
  CHECK(stats.restarts() == 0);
  CHECK(stats.tasks_failed() == 0);
}

TEST_CASE("workers are recycled after their task limit without a failed request") {
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--max-tasks-per-worker", "3"}});
  Client client(daemon->socket_path());
  for (std::uint64_t i = 0; i < 10; ++i) {
    const v1::Reply r = client.call(render_request(i + 1, unique_text("recycle")), 60s);
    CHECK_MESSAGE(r.has_sticker(), "request ", i + 1, ": ", describe(r));
  }
  v1::Stats stats = daemon->stats();
  MESSAGE(stats.recycled_workers(), " recycles for 10 tasks at a limit of 3 (±10%)");
  CHECK(stats.recycled_workers() >= 2);
  CHECK(stats.restarts() == 0);
  CHECK(stats.tasks_failed() == 0);
}

}  // namespace stickerd::itest
