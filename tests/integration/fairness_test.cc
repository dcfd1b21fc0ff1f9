// Fair connections: the per-uid connection limit, the idle timeout, and a
// refusal every client shows as what it is (CONNECTION_LIMIT), stickerctl
// included. Each case checks the refused client's reply and the daemon's
// health afterwards: alive, a normal render succeeds, no worker restarted.

#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

// CONNECTION_LIMIT's exit status from stickerctl: 10 + the code's number.
constexpr int kExitConnectionLimit = 10 + v1::CONNECTION_LIMIT;

// The uid the "bot" connects as in the per-uid test (nobody).
constexpr uid_t kBotUid = 65534;

void check_healthy(Daemon& daemon, const std::vector<pid_t>& workers_before) {
  CHECK_FALSE(daemon.process().exited());
  check_still_serving(daemon);
  CHECK(daemon.worker_pids() == workers_before);
  CHECK(daemon.stats().restarts() == 0);
}

// An id-0 CONNECTION_LIMIT whose message holds `words`, then the close.
void check_connection_limit(Client& client, const std::string& words) {
  v1::Reply reply;
  REQUIRE(client.receive(reply, 10s) == Client::Status::kReply);
  CHECK(reply.id() == 0);
  REQUIRE_MESSAGE(reply.has_error(), describe(reply));
  CHECK_MESSAGE(reply.error().code() == v1::CONNECTION_LIMIT, describe(reply));
  CHECK_MESSAGE(reply.error().message().find(words) != std::string::npos, describe(reply));
  CHECK(client.receive(reply, 10s) == Client::Status::kClosed);
}

// Connects as effective uid `uid` (SO_PEERCRED records the euid at
// connect time), then becomes root again.
std::unique_ptr<Client> connect_as(uid_t uid, const std::string& socket_path) {
  if (::seteuid(uid) != 0) throw HarnessError("seteuid failed");
  std::unique_ptr<Client> client;
  try {
    client = std::make_unique<Client>(socket_path);
  } catch (...) {
    (void)::seteuid(0);
    throw;
  }
  if (::seteuid(0) != 0) throw HarnessError("seteuid(0) failed");
  return client;
}

// Waits until stats report `n` connections (its own included). A stats
// connection refused while the daemon has not yet seen others close is a
// "not yet", not a failure.
bool wait_for_connections(const Daemon& daemon, std::uint32_t n) {
  return wait_until(
      [&] {
        try {
          return daemon.stats().connections() == n;
        } catch (const HarnessError&) {
          return false;
        }
      },
      10s);
}

}  // namespace

TEST_CASE("one uid holding its per-uid limit does not lock out another uid or stickerctl") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: connecting as a second uid needs root");
    return;
  }
  auto daemon = start_daemon(
      {.workers = 1, .extra_args = {"--max-connections", "20", "--max-connections-per-uid", "5"}});
  const std::vector<pid_t> workers = daemon->worker_pids();
  // The bot's uid must be able to reach the socket.
  REQUIRE(::chmod(daemon->dir().c_str(), 0755) == 0);
  REQUIRE(::chmod(daemon->socket_path().c_str(), 0777) == 0);

  std::vector<std::unique_ptr<Client>> bot;
  for (int i = 0; i < 5; ++i) {
    bot.push_back(connect_as(kBotUid, daemon->socket_path()));
    REQUIRE(bot.back()->call(stats_request(1), 10s).has_stats());  // admitted and counted
  }
  auto sixth = connect_as(kBotUid, daemon->socket_path());
  check_connection_limit(*sixth, fmt::format("uid {}", kBotUid));

  // Another uid (root here) is served, from a client and from stickerctl.
  Client other(daemon->socket_path());
  const v1::Reply ok = other.call(render_request(2, unique_text("other uid")), 60s);
  CHECK_MESSAGE(ok.has_sticker(), describe(ok));
  const CtlRun run = run_stickerctl({"--socket", daemon->socket_path(), "render",
                                     unique_text("ctl"), "-o", daemon->dir() + "/ok.webp"},
                                    daemon->dir());
  INFO("stickerctl stderr: ", run.err);
  CHECK(run.exit_code == 0);
  CHECK(daemon->stats().rejected_limits() >= 1);

  // A bot connection that closes gives its uid the slot back.
  bot.pop_back();
  REQUIRE(wait_for_connections(*daemon, 4 + 1 + 1));  // the bot's 4, `other`, stats
  auto again = connect_as(kBotUid, daemon->socket_path());
  CHECK(again->call(stats_request(3), 10s).has_stats());
  check_healthy(*daemon, workers);
}

TEST_CASE("stickerctl refused at the connection limit reports CONNECTION_LIMIT, not a wrong id") {
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--max-connections", "2"}});
  const std::vector<pid_t> workers = daemon->worker_pids();
  {
    Client a(daemon->socket_path());
    Client b(daemon->socket_path());
    REQUIRE(a.call(stats_request(1), 10s).has_stats());
    REQUIRE(b.call(stats_request(1), 10s).has_stats());
    const CtlRun run = run_stickerctl({"--socket", daemon->socket_path(), "render",
                                       unique_text("refused"), "-o", daemon->dir() + "/no.webp"},
                                      daemon->dir());
    INFO("stickerctl stderr: ", run.err);
    CHECK(run.exit_code == kExitConnectionLimit);
    CHECK(run.err.find("stickerctl: CONNECTION_LIMIT: too many connections") == 0);
    CHECK(run.err.find("instead of") == std::string::npos);
    const CtlRun batch = run_stickerctl(
        {"--socket", daemon->socket_path(), "batch", "x", "-o", daemon->dir() + "/batch"},
        daemon->dir());
    CHECK(batch.exit_code == kExitConnectionLimit);
    // A raw client sees the same: an id-0 CONNECTION_LIMIT, then the close.
    Client c(daemon->socket_path());
    check_connection_limit(c, "--max-connections");
  }
  REQUIRE(wait_for_connections(*daemon, 1));
  check_healthy(*daemon, workers);
}

TEST_CASE(
    "--idle-timeout-ms closes a connection with nothing in flight, never one with work in flight") {
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--idle-timeout-ms", "300"}});
  const std::vector<pid_t> workers = daemon->worker_pids();
  // Silent from the start.
  Client silent(daemon->socket_path());
  check_connection_limit(silent, "without a request in flight");
  // Half a frame is not a request in flight either (the slowloris case).
  Client slow(daemon->socket_path());
  slow.send_raw(length_prefix(50) + "abc");
  check_connection_limit(slow, "--idle-timeout-ms");
  // A batch of every style takes a while on one worker: the connection has
  // work in flight, so it is not closed until that is answered.
  Client busy(daemon->socket_path());
  v1::Request batch;
  batch.set_id(1);
  batch.mutable_batch()->set_text(unique_text("busy"));
  busy.send(batch);
  for (;;) {
    const v1::Reply r = busy.receive(60s);
    REQUIRE_MESSAGE(r.id() == 1, describe(r));
    if (r.has_batch_done()) break;
    REQUIRE(r.has_batch_item());
  }
  // Then it idles out like any other.
  check_connection_limit(busy, "without a request in flight");
  check_healthy(*daemon, workers);
}

}  // namespace stickerd::itest
