// Worker crashes under load: every accepted request still gets exactly one
// final reply, and the supervisor brings the pool back.
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

// What one connection saw: replies per id and any reply that was neither a
// sticker nor WORKER_CRASHED.
struct ConnectionLog {
  std::map<std::uint64_t, int> replies;
  int crashed = 0;  // WORKER_CRASHED replies
  std::vector<std::string> unexpected;
  std::string failure;  // the harness error that stopped this connection, if any
};

// Sends `count` renders keeping `in_flight` outstanding, until every one is answered.
void drive_connection(const std::string& socket_path, std::uint64_t first_id, int count,
                      int in_flight, ConnectionLog& log) {
  try {
    Client client(socket_path);
    int sent = 0;
    int answered = 0;
    while (answered < count) {
      while (sent < count && sent - answered < in_flight) {
        client.send(render_request(first_id + sent, unique_text("crash load")));
        ++sent;
      }
      const v1::Reply reply = client.receive(90s);
      ++log.replies[reply.id()];
      ++answered;
      const bool crashed = reply.has_error() && reply.error().code() == v1::WORKER_CRASHED;
      log.crashed += crashed;
      if (!reply.has_sticker() && !crashed) {
        log.unexpected.push_back(fmt::format("id {}: {}", reply.id(), describe(reply)));
      }
    }
  } catch (const HarnessError& e) {
    log.failure = e.what();
  }
}

}  // namespace

TEST_CASE("SIGKILLing READY workers under load loses no request and the pool recovers") {
  constexpr unsigned kWorkers = 2;
  constexpr int kConnections = 4;
  constexpr int kPerConnection = 50;  // 200 requests in all
  constexpr int kInFlight = 6;
  // Deadlines are not under test: with every kill a worker warms up again (a
  // second under ASan on a busy machine) and the queue waits, so the default
  // 10 s could answer DEADLINE_EXCEEDED instead of the stickers checked here.
  auto daemon = start_daemon(
      {.workers = kWorkers, .queue_size = 100, .extra_args = {"--deadline-ms", "120000"}});

  std::vector<ConnectionLog> logs(kConnections);
  std::atomic<int> running{kConnections};
  std::vector<std::jthread> threads;  // joined even when an assertion throws
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      drive_connection(daemon->socket_path(), static_cast<std::uint64_t>(c) * 1000 + 1,
                       kPerConnection, kInFlight, logs[c]);
      --running;
    });
  }

  // Every 50 ms, when the whole pool is READY, SIGKILL one worker. A worker
  // needs about half a second to warm up, so killing blindly every 50 ms would
  // only ever hit workers in warm-up and no request could progress; this way
  // every kill lands on a worker that takes tasks. A pid counts once: a second
  // kill of a dying worker is not a second crash.
  std::set<pid_t> killed;
  std::mt19937 random(12345);
  const auto deadline = Clock::now() + 150s;
  while (running > 0 && Clock::now() < deadline) {
    if (daemon->stats().ready_workers() == kWorkers) {
      std::vector<pid_t> live;
      for (pid_t pid : daemon->worker_pids()) {
        if (!killed.count(pid)) live.push_back(pid);
      }
      if (!live.empty()) {
        const pid_t victim = live[random() % live.size()];
        if (::kill(victim, SIGKILL) == 0) killed.insert(victim);
      }
    }
    std::this_thread::sleep_for(50ms);  // the pace of the chaos, not a synchronisation
  }
  for (auto& t : threads) t.join();

  int total = 0;
  int crashed = 0;
  for (int c = 0; c < kConnections; ++c) {
    const ConnectionLog& log = logs[c];
    INFO("connection ", c);
    CHECK_MESSAGE(log.failure.empty(), log.failure);
    for (const auto& u : log.unexpected) CHECK_MESSAGE(false, "unexpected reply: ", u);
    for (int i = 0; i < kPerConnection; ++i) {
      const std::uint64_t id = static_cast<std::uint64_t>(c) * 1000 + 1 + i;
      const auto it = log.replies.find(id);
      CHECK_MESSAGE((it != log.replies.end() && it->second == 1), "id ", id, " answered ",
                    it == log.replies.end() ? 0 : it->second, " times");
    }
    CHECK(log.replies.size() == static_cast<std::size_t>(kPerConnection));
    for (const auto& [id, n] : log.replies) total += n;
    crashed += log.crashed;
  }
  CHECK(total == kConnections * kPerConnection);
  MESSAGE(killed.size(), " workers killed");
  CHECK(!killed.empty());

  v1::Stats stats;
  const bool recovered = wait_until(
      [&] {
        stats = daemon->stats();
        return stats.ready_workers() == kWorkers && stats.total_workers() == kWorkers;
      },
      30s);
  INFO("ready ", stats.ready_workers(), " of ", stats.total_workers(), " workers");
  CHECK(recovered);
  CHECK(stats.restarts() >= killed.size());
  MESSAGE(stats.retries(), " tasks retried, ", crashed, " answered WORKER_CRASHED");
  // The kills landed on tasks in flight, or this test proved nothing.
  CHECK(stats.retries() + crashed > 0);
  CHECK(daemon->worker_pids().size() == kWorkers);
  check_still_serving(*daemon);
}

TEST_CASE(
    "a slot whose worker is SIGKILLed from outside again and again backs off, then recovers") {
  auto daemon = start_daemon({.workers = 1});
  // The same (only) slot, killed as soon as each new worker appears: the
  // first replacement is immediate, later ones wait 50 ms, 100 ms, ... and
  // the slot shows as waiting in stats meanwhile.
  bool seen_waiting = false;
  bool waited_after_first = false;
  int kills = 0;
  pid_t last = 0;
  for (; kills < 10 && !seen_waiting; ++kills) {
    std::vector<pid_t> pids;
    REQUIRE_MESSAGE(wait_until(
                        [&] {
                          pids = daemon->worker_pids();
                          return pids.size() == 1 && pids[0] != last;
                        },
                        30s),
                    "no new worker after ", kills, " kills");
    last = pids[0];
    REQUIRE(::kill(last, SIGKILL) == 0);
    // Until the next worker is there, watch for the backoff state.
    v1::Stats stats;
    REQUIRE(wait_until(
        [&] {
          stats = daemon->stats();
          if (stats.backoff_slots() == 1) {
            seen_waiting = true;
            if (kills == 0) waited_after_first = true;
          }
          const auto now = daemon->worker_pids();
          return seen_waiting || (now.size() == 1 && now[0] != last);
        },
        30s));
  }
  MESSAGE(kills, " kills before the slot was seen backing off");
  CHECK(seen_waiting);
  CHECK_FALSE(waited_after_first);  // the first death is replaced at once
  v1::Stats stats;
  CHECK(wait_until(
      [&] {
        stats = daemon->stats();
        return stats.ready_workers() == 1 && stats.backoff_slots() == 0;
      },
      30s));
  CHECK(stats.restarts() == static_cast<std::uint64_t>(kills));
  CHECK(daemon->log().find("backoff") != std::string::npos);
  check_still_serving(*daemon);
}

}  // namespace stickerd::itest
