// The daemon's life around its clients: draining on SIGTERM, clients that
// leave early, and ownership of the socket path.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cstring>
#include <filesystem>
#include <map>

#include <doctest/doctest.h>

#include "common/unique_fd.h"
#include "tests/integration/harness.h"

namespace stickerd::itest {

TEST_CASE(
    "SIGTERM with 20 requests queued answers all 20 with stickers, exits 0 and removes the "
    "socket") {
  auto daemon = start_daemon({.workers = 1, .queue_size = 32});
  Client client(daemon->socket_path());
  constexpr int kRequests = 20;
  std::string frames;
  for (int id = 0; id < kRequests; ++id) {
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

TEST_CASE("a client that disconnects with requests queued does not harm the others") {
  auto daemon = start_daemon({.workers = 1, .queue_size = 50});
  {
    Client leaver(daemon->socket_path());
    std::string frames;
    for (int id = 0; id < 20; ++id) append_frame(render_request(id, unique_text("leaver")), frames);
    leaver.send_raw(frames);
  }
  Client stayer(daemon->socket_path());
  constexpr int kRequests = 5;
  for (int id = 0; id < kRequests; ++id) stayer.send(render_request(id, unique_text("stayer")));
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
