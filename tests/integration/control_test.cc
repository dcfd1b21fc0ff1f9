// The control socket and stickerctl's control commands against a real
// daemon: workers, top, scale (under load), drain/resume, restart-workers
// (under load), reload, and who may use them.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <set>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/integration/harness.h"
#include "tests/integration/ops_support.h"

namespace stickerd::itest {
namespace {

CtlRun ctl(const Daemon& daemon, std::vector<std::string> args) {
  args.insert(args.begin(), {"--control-socket", control_socket(daemon)});
  return run_stickerctl(args, daemon.dir());
}

// Sends `count` renders on `client` at once; they queue behind the workers.
void send_load(Client& client, int count, std::string_view prefix) {
  std::string frames;
  for (int id = 1; id <= count; ++id) append_frame(render_request(id, unique_text(prefix)), frames);
  client.send_raw(frames);
}

// Every one of `count` replies is a sticker: nothing failed.
void expect_all_stickers(Client& client, int count) {
  std::set<std::uint64_t> ids;
  for (int i = 0; i < count; ++i) {
    v1::Reply reply;
    REQUIRE_MESSAGE(client.receive(reply, 120s) == Client::Status::kReply, "only ", i, " replies");
    CHECK_MESSAGE(reply.has_sticker(), "id ", reply.id(), ": ", describe(reply));
    ids.insert(reply.id());
  }
  CHECK(ids.size() == static_cast<std::size_t>(count));
}

const v1::WorkerInfo& slot_info(const v1::WorkerList& list, unsigned slot) {
  for (const auto& w : list.workers()) {
    if (w.slot() == slot) return w;
  }
  throw HarnessError(fmt::format("workers: no slot {}", slot));
}

bool pool_is(const Daemon& daemon, unsigned total, unsigned ready) {
  const v1::Stats s = daemon.stats();
  return s.total_workers() == total && s.ready_workers() == ready;
}

}  // namespace

TEST_CASE("stickerctl cache top lists the texts asked for most, most first, to control only") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  const std::string popular = unique_text("привет");
  const std::string second = unique_text("ok");
  std::uint64_t id = 0;
  const std::vector<std::pair<std::string, int>> asked{
      {popular, 3}, {second, 2}, {unique_text("rare"), 1}};
  for (const auto& [text, times] : asked) {
    for (int i = 0; i < times; ++i) REQUIRE(client.call(render_request(++id, text)).has_sticker());
  }
  const CtlRun top = ctl(*daemon, {"cache", "top"});
  REQUIRE_MESSAGE(top.exit_code == 0, top.err);
  CHECK(top.out.find("3  " + popular + "\n") != std::string::npos);
  CHECK(top.out.find(popular) < top.out.find(second));

  // Texts are the users' data: the client socket may not list them.
  v1::Request request;
  request.set_id(++id);
  request.mutable_cache_top();
  const v1::Reply refused = client.call(request);
  REQUIRE(refused.has_error());
  CHECK(refused.error().code() == v1::PERMISSION_DENIED);
}

TEST_CASE("stickerctl workers lists every slot with its pid, and --json prints the same") {
  auto daemon = start_daemon({.workers = 2});
  const CtlRun table = ctl(*daemon, {"workers"});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("2 workers configured") != std::string::npos);
  for (pid_t pid : daemon->worker_pids())
    CHECK(table.out.find(std::to_string(pid)) != std::string::npos);

  const CtlRun json = ctl(*daemon, {"workers", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find("\"configured\": 2") != std::string::npos);
  CHECK(json.out.find("\"state\": \"idle\"") != std::string::npos);
  CHECK(json.out.find("\"rss_bytes\"") != std::string::npos);
}

TEST_CASE("stickerctl workers shows why each slot's last worker ended: SIGKILL reads as a crash") {
  auto daemon = start_daemon({.workers = 2});
  const v1::WorkerList fresh = worker_list(*daemon);
  REQUIRE(fresh.workers_size() == 2);
  for (const auto& w : fresh.workers()) CHECK(w.last_exit_reason().empty());
  CHECK(ctl(*daemon, {"workers"}).out.find("last exit") != std::string::npos);

  const int victim = slot_info(fresh, 1).pid();
  REQUIRE(victim > 0);
  REQUIRE(::kill(victim, SIGKILL) == 0);
  v1::WorkerList after;
  REQUIRE(wait_until(
      [&] {
        after = worker_list(*daemon);
        const auto& w = slot_info(after, 1);
        return w.pid() > 0 && w.pid() != victim && w.state() == "idle";
      },
      30s));
  CHECK(slot_info(after, 1).last_exit_reason() == "crash");
  CHECK(slot_info(after, 1).last_exit_status() == "signal SIGKILL");
  CHECK(slot_info(after, 0).last_exit_reason().empty());

  const CtlRun table = ctl(*daemon, {"workers"});
  INFO(table.out, table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("crash (signal SIGKILL)") != std::string::npos);
  const CtlRun json = ctl(*daemon, {"workers", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find("\"last_exit_reason\": \"crash\"") != std::string::npos);
  CHECK(json.out.find("\"last_exit_status\": \"signal SIGKILL\"") != std::string::npos);
}

TEST_CASE("stickerctl top prints a frame and quits at the end of its input") {
  auto daemon = start_daemon({.workers = 1});
  const CtlRun top = ctl(*daemon, {"top"});  // stdin is /dev/null
  INFO(top.err);
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("1 workers configured") != std::string::npos);
  CHECK(top.out.find("queue 0/") != std::string::npos);
  const CtlRun json = ctl(*daemon, {"top", "--json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"tasks_completed\"") != std::string::npos);
}

TEST_CASE("control requests on the client socket get PERMISSION_DENIED") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  v1::Request request;
  request.set_id(7);
  request.mutable_scale()->set_workers(4);
  const v1::Reply reply = client.call(request);
  REQUIRE(reply.has_error());
  CHECK(reply.error().code() == v1::PERMISSION_DENIED);
  CHECK(reply.id() == 7);
  // stickerctl pointed at the client socket: exit code 21.
  const CtlRun run =
      run_stickerctl({"--control-socket", daemon->socket_path(), "drain"}, daemon->dir());
  CHECK(run.exit_code == 21);
  CHECK(daemon->stats().total_workers() == 1);
  check_still_serving(*daemon);  // and drain did not happen
}

TEST_CASE("a control request from another uid is refused even when the socket mode lets it in") {
  if (!have_program("setpriv") || ::geteuid() != 0) {
    MESSAGE("SKIPPED: needs root and setpriv (util-linux)");
    return;
  }
  auto daemon = start_daemon({.workers = 1});
  struct stat st {};
  REQUIRE(::stat(control_socket(*daemon).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Open the way to the socket so the peer-credential check is what refuses.
  REQUIRE(::chmod(daemon->dir().c_str(), 0755) == 0);
  REQUIRE(::chmod(control_socket(*daemon).c_str(), 0666) == 0);
  const ShellRun nobody = run_shell(
      fmt::format(
          "setpriv --reuid=65534 --regid=65534 --clear-groups {} --control-socket {} scale 3",
          binary_path("STICKERCTL_BIN"), control_socket(*daemon)),
      daemon->dir());
  INFO(nobody.output);
  CHECK(nobody.exit_code == 21);
  CHECK(nobody.output.find("PERMISSION_DENIED") != std::string::npos);
  CHECK(daemon->stats().total_workers() == 1);
}

TEST_CASE("scale up and down under load answers every request with a sticker") {
  auto daemon = start_daemon({.workers = 1, .queue_size = 100});
  Client client(daemon->socket_path());
  constexpr int kLoad = 40;
  send_load(client, kLoad, "scale");

  const CtlRun up = ctl(*daemon, {"scale", "3"});
  INFO(up.out, up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.out.find("to 3 workers") != std::string::npos);
  CHECK(wait_until([&] { return pool_is(*daemon, 3, 3); }, 30s));

  const CtlRun down = ctl(*daemon, {"scale", "1", "--json"});
  REQUIRE(down.exit_code == 0);
  CHECK(down.out.find("\"workers\": 1") != std::string::npos);
  expect_all_stickers(client, kLoad);
  CHECK(
      wait_until([&] { return pool_is(*daemon, 1, 1) && daemon->worker_pids().size() == 1; }, 30s));
  const v1::WorkerList shrunk = worker_list(*daemon);
  for (unsigned slot : {1u, 2u}) {
    CHECK(slot_info(shrunk, slot).last_exit_reason() == "scale-down");
    CHECK(slot_info(shrunk, slot).state() == "stopped");
  }
  check_still_serving(*daemon);

  CHECK(ctl(*daemon, {"scale", "0"}).exit_code == 1);  // a usage error, caught by stickerctl
}

TEST_CASE("drain refuses new renders with SHUTTING_DOWN and resume takes them again") {
  auto daemon = start_daemon({.workers = 1});
  const CtlRun drain = ctl(*daemon, {"drain"});
  REQUIRE(drain.exit_code == 0);
  CHECK(drain.out.find("draining") != std::string::npos);
  {
    Client client(daemon->socket_path());
    const v1::Reply refused = client.call(render_request(1, unique_text("drained")));
    REQUIRE(refused.has_error());
    CHECK(refused.error().code() == v1::SHUTTING_DOWN);
  }
  const CtlRun resume = ctl(*daemon, {"resume", "--json"});
  REQUIRE(resume.exit_code == 0);
  CHECK(resume.out.find("\"draining\": false") != std::string::npos);
  check_still_serving(*daemon);
}

TEST_CASE("restart-workers replaces every worker one at a time under load with no failed request") {
  auto daemon = start_daemon({.workers = 2, .queue_size = 100});
  const auto before = daemon->worker_pids();
  REQUIRE(before.size() == 2);
  Client client(daemon->socket_path());
  constexpr int kLoad = 24;
  send_load(client, kLoad, "rolling");

  const CtlRun restart = ctl(*daemon, {"restart-workers"});
  INFO(restart.out, restart.err);
  REQUIRE(restart.exit_code == 0);
  CHECK(restart.out.find("restarted every worker") != std::string::npos);
  expect_all_stickers(client, kLoad);
  const auto after = daemon->worker_pids();
  CHECK(after.size() == 2);
  for (pid_t pid : before) CHECK(std::find(after.begin(), after.end(), pid) == after.end());
  CHECK(pool_is(*daemon, 2, 2));
  const v1::WorkerList replaced = worker_list(*daemon);
  for (const auto& w : replaced.workers()) {
    CHECK(w.last_exit_reason() == "restart");
    CHECK(w.last_exit_status() == "exit code 0");
  }
}

TEST_CASE("a restart-workers caller gets SHUTTING_DOWN when the daemon stops before it finishes") {
  // The only worker hangs until the deadline, so the rolling restart cannot
  // replace it before the drain that SIGTERM starts stops every worker.
  auto daemon =
      start_daemon({.workers = 1, .extra_args = {"--enable-test-styles", "--deadline-ms", "2000"}});
  Client client(daemon->socket_path());
  client.send(render_request(1, unique_text("hang"), "test-hang"));
  REQUIRE(wait_until([&] { return daemon->stats().busy_workers() == 1; }, 30s));
  Client control(control_socket(*daemon));
  v1::Request restart;
  restart.set_id(5);
  restart.mutable_restart_workers();
  control.send(restart);
  REQUIRE(wait_until(
      [&] { return daemon->log().find("rolling restart of 1 workers") != std::string::npos; },
      10s));
  daemon->process().signal(SIGTERM);

  v1::Reply reply;
  REQUIRE(control.receive(reply, 60s) == Client::Status::kReply);
  CHECK(reply.id() == 5);
  REQUIRE_MESSAGE(reply.has_error(), describe(reply));
  CHECK(reply.error().code() == v1::SHUTTING_DOWN);
  const v1::Reply hung = client.receive(30s);
  CHECK_MESSAGE(hung.has_error(), describe(hung));
  const auto status = daemon->process().wait_exit(30s);
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
}

TEST_CASE("reload re-reads the style catalogue") {
  auto daemon = start_daemon({.workers = 1});
  const CtlRun reload = ctl(*daemon, {"reload"});
  INFO(reload.err);
  REQUIRE(reload.exit_code == 0);
  CHECK(reload.out.find("reloaded") != std::string::npos);
  CHECK(ctl(*daemon, {"reload", "--json"}).out.find("\"message\"") != std::string::npos);
  check_still_serving(*daemon);
}

TEST_CASE(
    "reload applies the config file's live changes, keeps the old ones on a bad file, and "
    "names restart-only changes") {
  TempDir files;
  const std::string file = files.path() + "/stickerd.json";
  std::ofstream(file) << R"({"workers": 1, "queue_size": 10})";
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--config", file}, .size_flags = false});
  REQUIRE(worker_list(*daemon).workers_size() == 1);

  std::ofstream(file) << R"({"workers": 2, "queue_size": 20})";
  const CtlRun live = ctl(*daemon, {"reload"});
  INFO(live.out, live.err);
  REQUIRE(live.exit_code == 0);
  CHECK(live.out.find("workers 1 -> 2 (applied)") != std::string::npos);
  CHECK(live.out.find("queue_size 10 -> 20 (applied)") != std::string::npos);
  CHECK(live.out.find("reloaded") != std::string::npos);  // the styles too
  CHECK(worker_list(*daemon).workers_size() == 2);
  CHECK(wait_until([&] { return pool_is(*daemon, 2, 2); }, 60s));
  CHECK(daemon->stats().queue_capacity() == 20);

  std::ofstream(file) << R"({"workers": 0, "queue_size": 30})";
  const CtlRun bad = ctl(*daemon, {"reload"});
  INFO(bad.out, bad.err);
  CHECK(bad.exit_code != 0);
  CHECK((bad.out + bad.err).find("workers") != std::string::npos);
  CHECK((bad.out + bad.err).find("'0'") != std::string::npos);
  CHECK(worker_list(*daemon).workers_size() == 2);
  CHECK(daemon->stats().queue_capacity() == 20);  // nothing of the bad file applied
  check_still_serving(*daemon);

  std::ofstream(file) << R"({"workers": 2, "queue_size": 20, "poison_ttl_s": 60})";
  const CtlRun restart = ctl(*daemon, {"reload"});
  INFO(restart.out, restart.err);
  REQUIRE(restart.exit_code == 0);
  CHECK(restart.out.find("poison_ttl_s 600 -> 60 (needs a restart)") != std::string::npos);
  CHECK(restart.out.find("workers") == std::string::npos);  // already applied: no change
  check_still_serving(*daemon);
}

}  // namespace stickerd::itest
