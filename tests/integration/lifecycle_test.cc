// The daemon's life around its clients: draining on SIGTERM (with its grace
// period), reloading with a rolling restart on SIGHUP, clients that leave
// early, and ownership of the socket path.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "common/unique_fd.h"
#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

// What one closed-loop connection saw.
struct LoadLog {
  std::uint64_t sent = 0;
  std::map<std::uint64_t, int> replies;  // id -> replies to it
  std::map<std::string, int> codes;      // "OK" or the error code's name -> count
  std::vector<std::string> failures;     // replies that count as a failed request
  int abandoned = 0;                     // SHUTTING_DOWN for work accepted before the drain
  bool closed_by_daemon = false;         // the connection ended after the last reply
  std::string harness_error;
};

// Keeps `in_flight` renders outstanding on one connection until `stop` is
// set and reads the reply to everything it sent. Every reply that is not a
// sticker is a failure, except, when `draining`, SHUTTING_DOWN: it stops the
// sending, and the daemon is then expected to close the connection.
void closed_loop(const std::string& socket_path, std::uint64_t first_id, int in_flight,
                 const std::atomic<bool>& stop, bool draining, LoadLog& log) {
  try {
    Client client(socket_path);
    std::uint64_t next = first_id;
    std::uint64_t outstanding = 0;
    bool refused = false;
    for (;;) {
      while (!stop && !refused && outstanding < static_cast<std::uint64_t>(in_flight)) {
        client.send(render_request(next++, unique_text("closed loop")));
        ++log.sent;
        ++outstanding;
      }
      if (outstanding == 0) break;
      const v1::Reply reply = client.receive(90s);
      --outstanding;
      ++log.replies[reply.id()];
      const std::string code =
          reply.has_sticker() ? "OK" : v1::ErrorCode_Name(reply.error().code());
      ++log.codes[code];
      if (draining && reply.has_error() && reply.error().code() == v1::SHUTTING_DOWN) {
        refused = true;
        // Refused at admission says "is shutting down"; abandoned work says "shut down while".
        log.abandoned += reply.error().message().find("shut down while") != std::string::npos;
      } else if (!reply.has_sticker()) {
        log.failures.push_back(fmt::format("id {}: {}", reply.id(), describe(reply)));
      }
    }
    // Nothing more may come: no reply twice, and (after a drain) the end.
    v1::Reply extra;
    const auto status = client.receive(extra, draining ? 60s : 300ms);
    if (status == Client::Status::kReply) {
      log.failures.push_back(fmt::format("an extra reply: id {}: {}", extra.id(), describe(extra)));
    }
    log.closed_by_daemon = status == Client::Status::kClosed;
  } catch (const HarnessError& e) {
    log.harness_error = e.what();
  }
}

// CHECKs that every request on every connection got exactly one reply.
void check_one_reply_each(const std::vector<LoadLog>& logs) {
  for (std::size_t c = 0; c < logs.size(); ++c) {
    INFO("connection ", c);
    CHECK_MESSAGE(logs[c].harness_error.empty(), logs[c].harness_error);
    CHECK(logs[c].replies.size() == logs[c].sent);
    for (const auto& [id, n] : logs[c].replies)
      CHECK_MESSAGE(n == 1, "id ", id, " answered ", n, " times");
    for (const auto& f : logs[c].failures) CHECK_MESSAGE(false, f);
  }
}

int count_code(const std::vector<LoadLog>& logs, const std::string& code) {
  int n = 0;
  for (const auto& log : logs) {
    if (auto it = log.codes.find(code); it != log.codes.end()) n += it->second;
  }
  return n;
}

bool is_error(const v1::Reply& reply, v1::ErrorCode code) {
  return reply.has_error() && reply.error().code() == code;
}

}  // namespace

TEST_CASE(
    "SIGTERM with 20 requests queued answers all 20 with stickers, exits 0 and removes the "
    "socket") {
  auto daemon = start_daemon({.workers = 1, .queue_size = 32});
  Client client(daemon->socket_path());
  constexpr int kRequests = 20;
  std::string frames;
  for (int id = 1; id <= kRequests; ++id) {
    append_frame(render_request(id, unique_text("drain")), frames);
  }
  client.send_raw(frames);
  // Wait until the daemon has admitted all of them, then ask it to stop.
  v1::Stats stats;
  const bool admitted = wait_until(
      [&] {
        stats = daemon->stats();
        return stats.queue_size() + stats.busy_workers() + stats.tasks_completed() == kRequests;
      },
      10s);
  INFO("queued ", stats.queue_size(), ", busy ", stats.busy_workers(), ", done ",
       stats.tasks_completed());
  REQUIRE(admitted);
  CHECK(stats.queue_size() > 0);
  daemon->process().signal(SIGTERM);

  std::map<std::uint64_t, int> answered;
  for (int i = 0; i < kRequests; ++i) {
    v1::Reply reply;
    const auto status = client.receive(reply, 60s);
    REQUIRE_MESSAGE(status == Client::Status::kReply, "only ", i, " of ", kRequests,
                    " answered before the connection ended");
    ++answered[reply.id()];
    CHECK_MESSAGE(reply.has_sticker(), "id ", reply.id(), ": ", describe(reply));
  }
  CHECK(answered.size() == static_cast<std::size_t>(kRequests));

  const auto status = daemon->process().wait_exit(30s);
  REQUIRE_MESSAGE(status.has_value(), "stickerd still running 30 s after SIGTERM");
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK_FALSE(std::filesystem::exists(daemon->socket_path()));
}

TEST_CASE(
    "SIGTERM under closed-loop load: one reply per request, then the connections close and exit "
    "0") {
  constexpr int kConnections = 3;
  auto daemon = start_daemon({.workers = 2, .queue_size = 100});
  std::vector<LoadLog> logs(kConnections);
  std::atomic<bool> stop{false};
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < kConnections; ++c) {
      threads.emplace_back([&, c] {
        closed_loop(daemon->socket_path(), static_cast<std::uint64_t>(c) * 100'000 + 1, 4, stop,
                    true, logs[c]);
      });
    }
    // Under way: some renders done, so SIGTERM lands on queued and running work.
    REQUIRE(wait_until([&] { return daemon->stats().tasks_completed() >= 20; }, 60s));
    daemon->process().signal(SIGTERM);
    stop = true;  // a connection that has not been refused yet stops on its own
  }
  check_one_reply_each(logs);
  for (const auto& log : logs) {
    CHECK(log.closed_by_daemon);
    CHECK(log.abandoned == 0);  // within the default grace period everything accepted finished
  }
  const int ok = count_code(logs, "OK");
  MESSAGE(ok, " stickers, ", count_code(logs, "SHUTTING_DOWN"), " refused while draining");
  CHECK(ok >= 20);
  const auto status = daemon->process().wait_exit(60s);
  REQUIRE_MESSAGE(status.has_value(), "stickerd still running 60 s after SIGTERM");
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("stickerctl drain --exit under closed-loop load: one reply per request, then exit 0") {
  constexpr int kConnections = 2;
  auto daemon = start_daemon({.workers = 2, .queue_size = 100});
  std::vector<LoadLog> logs(kConnections);
  std::atomic<bool> stop{false};
  CtlRun drain;
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < kConnections; ++c) {
      threads.emplace_back([&, c] {
        closed_loop(daemon->socket_path(), static_cast<std::uint64_t>(c) * 100'000 + 1, 4, stop,
                    true, logs[c]);
      });
    }
    REQUIRE(wait_until([&] { return daemon->stats().tasks_completed() >= 10; }, 60s));
    drain = run_stickerctl({"--control-socket", daemon->dir() + "/c.sock", "drain", "--exit"},
                           daemon->dir());
    stop = true;
  }
  CHECK_MESSAGE(drain.exit_code == 0, drain.err);
  CHECK(drain.out.find("shutting down") != std::string::npos);
  check_one_reply_each(logs);
  for (const auto& log : logs) CHECK(log.abandoned == 0);
  CHECK(count_code(logs, "OK") >= 10);
  const auto status = daemon->process().wait_exit(60s);
  REQUIRE_MESSAGE(status.has_value(), "stickerd still running 60 s after drain --exit");
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE(
    "when the drain's grace period runs out, queued and running requests get SHUTTING_DOWN and "
    "stickerd exits") {
  auto daemon = start_daemon({.workers = 1,
                              .extra_args = {"--enable-test-styles", "--deadline-ms", "60000",
                                             "--drain-grace-ms", "1500"}});
  Client client(daemon->socket_path());
  client.send(render_request(1, unique_text("hung at shutdown"), "test-hang"));
  REQUIRE(wait_until([&] { return daemon->stats().busy_workers() == 1; }, 30s));
  client.send(render_request(2, unique_text("queued at shutdown")));
  REQUIRE(wait_until([&] { return daemon->stats().queue_size() == 1; }, 30s));
  const pid_t worker = daemon->worker_pids().at(0);

  const auto start = Clock::now();
  daemon->process().signal(SIGTERM);
  // The signal is handled on the daemon's loop: draining has begun once the
  // client socket stops taking connections.
  REQUIRE(wait_until(
      [&] {
        try {
          Client probe(daemon->socket_path());
          return false;
        } catch (const HarnessError&) {
          return true;
        }
      },
      10s));
  // Admission is closed; a connection already open still works.
  const v1::Reply refused = client.call(render_request(3, unique_text("after SIGTERM")), 10s);
  CHECK(refused.id() == 3);
  CHECK_MESSAGE(is_error(refused, v1::SHUTTING_DOWN), describe(refused));

  std::map<std::uint64_t, v1::Reply> got;
  for (int i = 0; i < 2; ++i) {
    v1::Reply reply;
    REQUIRE_MESSAGE(client.receive(reply, 30s) == Client::Status::kReply, "only ", i, " replies");
    CHECK_MESSAGE(got.emplace(reply.id(), reply).second, "id ", reply.id(), " answered twice");
  }
  const double waited = std::chrono::duration<double>(Clock::now() - start).count();
  MESSAGE("answered ", waited, " s after SIGTERM (grace period 1.5 s)");
  CHECK(waited >= 1.4);
  CHECK(waited < 15.0);  // generous: "at about the grace period", not its deadline of 60 s
  REQUIRE(got.count(1) == 1);
  REQUIRE(got.count(2) == 1);
  CHECK_MESSAGE(is_error(got[1], v1::SHUTTING_DOWN), describe(got[1]));
  CHECK(got[1].error().message().find("rendering") != std::string::npos);
  CHECK_MESSAGE(is_error(got[2], v1::SHUTTING_DOWN), describe(got[2]));
  CHECK(got[2].error().message().find("queued") != std::string::npos);
  v1::Reply none;
  CHECK(client.receive(none, 30s) == Client::Status::kClosed);

  const auto status = daemon->process().wait_exit(30s);
  REQUIRE_MESSAGE(status.has_value(), "stickerd still running after its grace period");
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(::kill(worker, 0) != 0);  // the hung worker was killed, not left behind
}

TEST_CASE("SIGHUP under closed-loop load replaces every worker with no failed request") {
  constexpr int kConnections = 3;
  constexpr unsigned kWorkers = 3;
  auto daemon = start_daemon({.workers = kWorkers, .queue_size = 100});
  const std::vector<pid_t> before = daemon->worker_pids();
  REQUIRE(before.size() == kWorkers);

  std::vector<LoadLog> logs(kConnections);
  std::atomic<bool> stop{false};
  bool replaced = false;
  std::vector<pid_t> after;
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < kConnections; ++c) {
      threads.emplace_back([&, c] {
        closed_loop(daemon->socket_path(), static_cast<std::uint64_t>(c) * 100'000 + 1, 4, stop,
                    false, logs[c]);
      });
    }
    REQUIRE(wait_until([&] { return daemon->stats().tasks_completed() >= 10; }, 60s));
    daemon->process().signal(SIGHUP);
    replaced = wait_until(
        [&] {
          after = daemon->worker_pids();
          const bool all_new = std::none_of(after.begin(), after.end(), [&](pid_t p) {
            return std::find(before.begin(), before.end(), p) != before.end();
          });
          return after.size() == kWorkers && all_new && daemon->stats().ready_workers() == kWorkers;
        },
        120s);
    stop = true;
  }
  CHECK_MESSAGE(replaced, "workers before ", before.size(), ", live now ", after.size());
  check_one_reply_each(logs);
  const int ok = count_code(logs, "OK");
  int sent = 0;
  for (const auto& log : logs) sent += static_cast<int>(log.sent);
  MESSAGE(sent, " requests during the reload, ", ok, " stickers");
  CHECK(ok == sent);  // zero failed requests
  const v1::Stats stats = daemon->stats();
  CHECK(stats.restarts() == 0);  // replaced on request, not crashed
  CHECK(stats.tasks_failed() == 0);
  CHECK_FALSE(daemon->process().exited());
}

TEST_CASE("a client that disconnects with requests queued does not harm the others") {
  auto daemon = start_daemon({.workers = 1, .queue_size = 50});
  {
    Client leaver(daemon->socket_path());
    std::string frames;
    for (int id = 1; id <= 20; ++id)
      append_frame(render_request(id, unique_text("leaver")), frames);
    leaver.send_raw(frames);
  }
  Client stayer(daemon->socket_path());
  constexpr int kRequests = 5;
  for (int id = 1; id <= kRequests; ++id) stayer.send(render_request(id, unique_text("stayer")));
  std::map<std::uint64_t, int> answered;
  for (int i = 0; i < kRequests; ++i) {
    const v1::Reply reply = stayer.receive(60s);
    ++answered[reply.id()];
    CHECK_MESSAGE(reply.has_sticker(), "id ", reply.id(), ": ", describe(reply));
  }
  CHECK(answered.size() == static_cast<std::size_t>(kRequests));

  v1::Stats stats;
  const bool idle = wait_until(
      [&] {
        stats = daemon->stats();
        return stats.queue_size() == 0 && stats.busy_workers() == 0;
      },
      30s);
  CHECK(idle);
  // The leaver's queued tasks were dropped, not rendered for nobody: at most
  // the one already at the worker when it left was finished.
  INFO("tasks completed: ", stats.tasks_completed());
  CHECK(stats.tasks_completed() <= kRequests + 1);
  check_still_serving(*daemon);
}

TEST_CASE("a second daemon on a live socket fails with an error that names the socket") {
  auto first = start_daemon({.workers = 1});
  Daemon second({.workers = 1, .socket_path = first->socket_path()});
  const auto status = second.process().wait_exit(30s);
  REQUIRE_MESSAGE(status.has_value(), "the second stickerd is still running on a taken socket");
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) != 0);
  const std::string log = second.log();
  INFO("second daemon said: ", log);
  CHECK(log.find(first->socket_path()) != std::string::npos);
  CHECK(std::filesystem::exists(first->socket_path()));
  check_still_serving(*first);
}

TEST_CASE("a stale socket file left by a dead daemon is replaced") {
  TempDir dir;
  const std::string path = dir.path() + "/stale.sock";
  {
    // Bound and closed without unlink: the file stays, nobody listens.
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  REQUIRE(std::filesystem::is_socket(path));
  auto daemon = start_daemon({.workers = 1, .socket_path = path});
  check_still_serving(*daemon);
}

}  // namespace stickerd::itest
