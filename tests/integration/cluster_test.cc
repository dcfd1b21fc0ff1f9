// Cluster mode against a real redis-server: the node's link to Redis
// (--redis). It reports the link in stats, the stickerd_redis_up gauge and
// /health; while Redis is gone the node is degraded and still serves its
// own clients; it reconnects by itself when Redis is back; and a bad URL is
// refused before anything starts. Work sharing: requests sent to one node
// are rendered by the others' workers too, each answered once, and a Redis
// lost under load costs no request its reply. Leases: a SIGKILLed node's
// entries are reclaimed by the others, a slow render is never run twice,
// and entries delivered too often, or that kill workers, are dead-lettered
// once and refused by every node.
#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include "tests/integration/harness.h"
#include "tests/integration/ops_support.h"
#include "tests/integration/redis_server.h"

namespace stickerd::itest {
namespace {

// The Redis link's worst case from a loss to the next attempt (the
// backoff's cap) plus its handshake, with room for a loaded machine.
constexpr auto kLinkTimeout = 20s;

std::unique_ptr<Daemon> start_node(const std::string& redis_url,
                                   std::vector<std::string> extra_args = {}) {
  extra_args.insert(extra_args.end(), {"--redis", redis_url});
  return start_daemon({.workers = 1, .extra_args = std::move(extra_args)});
}

bool link_is(const Daemon& daemon, v1::RedisState state) { return daemon.stats().redis() == state; }

// A cluster node for the work-sharing tests: test styles on, named.
std::unique_ptr<Daemon> start_sharing_node(const std::string& redis_url, const std::string& name,
                                           unsigned workers,
                                           std::vector<std::string> extra_args = {}) {
  extra_args.insert(extra_args.end(),
                    {"--redis", redis_url, "--node-name", name, "--enable-test-styles"});
  return start_daemon({.workers = workers, .extra_args = std::move(extra_args)});
}

// How many times `node` has (re)joined the streams' consumer group.
std::size_t times_sharing(const Daemon& node) {
  const std::string log = node.log();
  std::size_t n = 0;
  for (auto at = log.find(" shares work through "); at != std::string::npos;
       at = log.find(" shares work through ", at + 1)) {
    ++n;
  }
  return n;
}

// Starts one sharing node per name, with that many workers, and waits
// until each has joined the consumer group.
std::vector<std::unique_ptr<Daemon>> start_cluster(
    const RedisServer& redis, const std::vector<std::pair<std::string, unsigned>>& nodes,
    const std::vector<std::string>& extra_args = {}) {
  std::vector<std::unique_ptr<Daemon>> started;
  for (const auto& [name, workers] : nodes) {
    started.push_back(start_sharing_node(redis.url(), name, workers, extra_args));
  }
  for (const auto& node : started) {
    REQUIRE(wait_until([&] { return times_sharing(*node) == 1; }, kLinkTimeout));
  }
  return started;
}

v1::Request sleep_request(std::uint64_t id, unsigned ms) {
  return render_request(id, fmt::format("{} {}", ms, unique_text("sleep")), "test-sleep");
}

// Sends `count` test-sleep renders of `ms` with ids from `first`.
void send_sleeps(Client& client, std::uint64_t first, unsigned count, unsigned ms) {
  for (std::uint64_t id = first; id < first + count; ++id) client.send(sleep_request(id, ms));
}

// Receives until every id in `want` has its reply; CHECKs each is a
// sticker and none comes twice; then that nothing more arrives.
void expect_one_sticker_each(Client& client, std::set<std::uint64_t> want) {
  std::map<std::uint64_t, int> seen;
  while (!want.empty()) {
    v1::Reply reply;
    REQUIRE(client.receive(reply, 60s) == Client::Status::kReply);
    CHECK_MESSAGE(reply.has_sticker(), "request ", reply.id(), " got ", describe(reply));
    CHECK(++seen[reply.id()] == 1);
    want.erase(reply.id());
  }
  v1::Reply extra;
  CHECK(client.receive(extra, 500ms) == Client::Status::kTimeout);
}

// `stickerctl cluster` on `node`'s control socket.
CtlRun cluster_ctl(const Daemon& node, bool json) {
  std::vector<std::string> args{"--control-socket", control_socket(node), "cluster"};
  if (json) args.emplace_back("--json");
  return run_stickerctl(args, node.dir());
}

// What `stickerctl cluster --json` on `node` reports.
v1::ClusterReport cluster_report(const Daemon& node) {
  const CtlRun run = cluster_ctl(node, true);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  v1::ClusterReport report;
  REQUIRE(google::protobuf::util::JsonStringToMessage(run.out, &report).ok());
  CHECK(report.streams_size() == 3);
  return report;
}

// The nodes `stickerctl cluster --json` on `node` lists, by name.
std::map<std::string, v1::ClusterNode> registry_of(const Daemon& node) {
  const v1::ClusterReport report = cluster_report(node);
  std::map<std::string, v1::ClusterNode> nodes;
  for (const v1::ClusterNode& n : report.nodes()) nodes[n.name()] = n;
  return nodes;
}

// redis-cli's answer to `words` (shell words) on `redis`.
ShellRun redis_cli(const RedisServer& redis, const TempDir& scratch, const std::string& words) {
  return run_shell(fmt::format("redis-cli -p {} --raw {}", redis.port(), words), scratch.path());
}

// The entries of `stream` now, as redis-cli counts them.
std::string stream_length(const RedisServer& redis, const TempDir& scratch,
                          const std::string& stream) {
  return redis_cli(redis, scratch, "XLEN " + stream).output;
}

}  // namespace

TEST_CASE("without --redis a node is a single node: no link in stats, metrics or /health") {
  auto daemon = start_daemon({.workers = 1, .extra_args = {"--metrics-address", "127.0.0.1:0"}});
  CHECK(daemon->stats().redis() == v1::REDIS_STATE_OFF);
  const int port = metrics_port(*daemon);
  const auto metrics = http_get(port, "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("stickerd_redis_up") == std::string::npos);
  const auto health = http_get(port, "/health");
  REQUIRE(health);
  CHECK(health->body.find("redis") == std::string::npos);
}

TEST_CASE("with --redis a node renders as before and reports its link connected") {
  RedisServer redis;
  auto daemon = start_node(redis.url(), {"--metrics-address", "127.0.0.1:0"});
  CHECK(wait_until([&] { return link_is(*daemon, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));
  check_still_serving(*daemon);
  const int port = metrics_port(*daemon);
  const auto metrics = http_get(port, "/metrics");
  REQUIRE(metrics);
  CHECK(sample_value(metrics->body, "stickerd_redis_up") == 1.0);
  const auto health = http_get(port, "/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body.find("redis connected") != std::string::npos);
  CHECK(daemon->log().find("redis: connected to redis://127.0.0.1:") != std::string::npos);
}

TEST_CASE("Redis killed: the node is degraded and keeps serving; Redis back: it rejoins") {
  RedisServer redis;
  auto daemon = start_node(redis.url(), {"--metrics-address", "127.0.0.1:0"});
  REQUIRE(wait_until([&] { return link_is(*daemon, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));
  const int port = metrics_port(*daemon);

  redis.kill();
  CHECK(wait_until([&] { return link_is(*daemon, v1::REDIS_STATE_DEGRADED); }, kLinkTimeout));
  check_still_serving(*daemon);
  const auto metrics = http_get(port, "/metrics");
  REQUIRE(metrics);
  CHECK(sample_value(metrics->body, "stickerd_redis_up") == 0.0);
  const auto health = http_get(port, "/health");
  REQUIRE(health);
  CHECK(health->status == 200);  // degraded is not down: the node still serves
  CHECK(health->body.find("redis degraded") != std::string::npos);
  CHECK(daemon->log().find("redis: lost") != std::string::npos);

  redis.start();  // the same port, as a restarted Redis
  CHECK(wait_until([&] { return link_is(*daemon, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));
  CHECK_FALSE(daemon->process().exited());
  CHECK(daemon->log().find("redis: reconnected to") != std::string::npos);
  check_still_serving(*daemon);
}

TEST_CASE("an unreachable Redis at start is a degraded start, joined once Redis comes") {
  RedisServer redis;
  redis.kill();
  auto daemon = start_node(redis.url());
  CHECK(wait_until([&] { return daemon->log().find("at start") != std::string::npos; },
                   kLinkTimeout));
  CHECK(daemon->stats().redis() == v1::REDIS_STATE_DEGRADED);
  CHECK(daemon->log().find("; degraded: this node serves its own clients alone, next attempt") !=
        std::string::npos);
  check_still_serving(*daemon);

  redis.start();
  CHECK(wait_until([&] { return link_is(*daemon, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));
}

TEST_CASE("the URL's password and database are used, and a wrong password is named, not shown") {
  RedisServer redis("hunter2");
  auto daemon = start_node(redis.url("hunter2", 3));
  CHECK(wait_until([&] { return link_is(*daemon, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));

  auto wrong = start_node(redis.url("letmein"));
  CHECK(wait_until([&] { return wrong->log().find("AUTH refused") != std::string::npos; },
                   kLinkTimeout));
  CHECK(wrong->stats().redis() == v1::REDIS_STATE_DEGRADED);
  check_still_serving(*wrong);
  CHECK(wrong->log().find("letmein") == std::string::npos);

  auto none = start_node(redis.url());
  CHECK(wait_until([&] { return none->log().find("NOAUTH") != std::string::npos; }, kLinkTimeout));
  CHECK(none->stats().redis() == v1::REDIS_STATE_DEGRADED);
}

TEST_CASE("SIGTERM ends a cluster node cleanly, its link up or degraded") {
  const auto stops_cleanly = [](Daemon& node) {
    node.process().signal(SIGTERM);
    const auto status = node.process().wait_exit(30s);
    REQUIRE(status);
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
    CHECK(node.log().find("handles still open") == std::string::npos);
  };
  RedisServer redis;
  auto up = start_node(redis.url());
  REQUIRE(wait_until([&] { return link_is(*up, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));
  stops_cleanly(*up);

  auto degraded = start_node(redis.url());
  REQUIRE(wait_until([&] { return link_is(*degraded, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));
  redis.kill();
  REQUIRE(wait_until([&] { return link_is(*degraded, v1::REDIS_STATE_DEGRADED); }, kLinkTimeout));
  stops_cleanly(*degraded);
}

TEST_CASE("requests sent to one node are rendered by the others' workers too, each answered once") {
  RedisServer redis;
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 2}, {"c", 2}});
  const auto& a = nodes[0];
  const auto& b = nodes[1];
  const auto& c = nodes[2];
  Client client(a->socket_path());
  constexpr unsigned kRequests = 30;  // 3 s of sleeps for A's one worker alone
  send_sleeps(client, 1, kRequests, 100);
  std::set<std::uint64_t> ids;
  for (std::uint64_t id = 1; id <= kRequests; ++id) ids.insert(id);
  expect_one_sticker_each(client, ids);

  const auto done = [](const Daemon& node) { return node.stats().tasks_completed(); };
  CHECK(done(*b) > 0);
  CHECK(done(*c) > 0);
  CHECK(done(*a) + done(*b) + done(*c) == kRequests);        // every render happened once
  CHECK(a->log().find("running the") == std::string::npos);  // nothing fell back
}

// Whether `node`'s blocking reads have (re)connected `times` times.
bool waiter_connected(const Daemon& node, std::size_t times) {
  const std::string log = node.log();
  std::size_t n = 0;
  for (auto at = log.find("redis (blocking reads): "); at != std::string::npos;
       at = log.find("redis (blocking reads): ", at + 1)) {
    if (log.compare(at + 24, 12, "connected to") == 0 ||
        log.compare(at + 24, 14, "reconnected to") == 0) {
      ++n;
    }
  }
  return n >= times;
}

// Calls of `command` Redis counted since its last CONFIG RESETSTAT.
unsigned long redis_calls(const RedisServer& redis, const TempDir& scratch,
                          const std::string& command) {
  const std::string info = redis_cli(redis, scratch, "INFO commandstats").output;
  const std::string key = "cmdstat_" + command + ":calls=";
  const auto at = info.find(key);
  return at == std::string::npos ? 0 : std::stoul(info.substr(at + key.size()));
}

TEST_CASE("idle nodes wait on Redis instead of polling it, and still take the work others add") {
  RedisServer redis;
  const TempDir scratch;
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 1}});
  for (const auto& node : nodes) {
    REQUIRE(wait_until([&] { return waiter_connected(*node, 1); }, kLinkTimeout));
  }
  REQUIRE(redis_cli(redis, scratch, "CONFIG RESETSTAT").exit_code == 0);
  std::this_thread::sleep_for(2s);
  // Polling the three task streams every 10 ms, two idle nodes would read
  // them about 1200 times in these 2 s; waiting, a few safety polls remain.
  const unsigned long polls = redis_calls(redis, scratch, "xreadgroup");
  CHECK_MESSAGE(polls < 100, polls, " XREADGROUPs from two idle nodes in 2 s");

  // B, woken by A's entries, takes its share.
  Client client(nodes[0]->socket_path());
  send_sleeps(client, 1, 6, 200);
  expect_one_sticker_each(client, {1, 2, 3, 4, 5, 6});
  CHECK(nodes[1]->stats().tasks_completed() > 0);
}

TEST_CASE("the blocking reads' connection killed: the node polls meanwhile and reconnects it") {
  RedisServer redis;
  const TempDir scratch;
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 1}});
  const auto& a = nodes[0];
  const auto& b = nodes[1];
  for (const auto& node : nodes) {
    REQUIRE(wait_until([&] { return waiter_connected(*node, 1); }, kLinkTimeout));
  }
  // Only the blocking reads wait in Redis ("b" among a client's flags).
  std::istringstream clients(redis_cli(redis, scratch, "CLIENT LIST").output);
  unsigned killed = 0;
  for (std::string line; std::getline(clients, line);) {
    if (line.find(" flags=b ") == std::string::npos) continue;
    const auto id = line.substr(3, line.find(' ') - 3);  // "id=N ..."
    CHECK(redis_cli(redis, scratch, "CLIENT KILL ID " + id).output == "1\n");
    ++killed;
  }
  REQUIRE(killed == 2);
  Client client(a->socket_path());
  send_sleeps(client, 1, 6, 200);
  expect_one_sticker_each(client, {1, 2, 3, 4, 5, 6});
  CHECK(b->stats().tasks_completed() > 0);
  for (const auto& node : nodes) {
    CHECK(node->log().find("redis (blocking reads): lost") != std::string::npos);
    CHECK(wait_until([&] { return waiter_connected(*node, 2); }, kLinkTimeout));
    CHECK(link_is(*node, v1::REDIS_STATE_CONNECTED));  // the node's own link never went
    CHECK(node->log().find("redis: lost") == std::string::npos);
  }
}

TEST_CASE("a sticker rendered on one node is a hit on another: from Redis, then from memory") {
  RedisServer redis;
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 1}});
  const auto& a = nodes[0];
  const auto& b = nodes[1];
  const std::string text = unique_text("shared");
  Client to_a(a->socket_path());
  const v1::Reply rendered = to_a.call(render_request(1, text, "classic", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(rendered.has_sticker(), describe(rendered));
  const auto done = [&] { return a->stats().tasks_completed() + b->stats().tasks_completed(); };
  REQUIRE(done() == 1);

  // B has it in neither memory nor its own disk tier: Redis answers.
  Client to_b(b->socket_path());
  const v1::Reply from_redis = to_b.call(render_request(2, text, "classic", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(from_redis.has_sticker(), describe(from_redis));
  CHECK(from_redis.sticker().data() == rendered.sticker().data());
  const v1::Stats after_redis = b->stats();
  CHECK(after_redis.redis_cache_hits() == 1);
  CHECK(done() == 1);  // no worker anywhere rendered it again

  // The Redis hit refilled B's memory: the next one is answered there.
  const v1::Reply from_memory = to_b.call(render_request(3, text, "classic", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(from_memory.has_sticker(), describe(from_memory));
  const v1::Stats after_memory = b->stats();
  CHECK(after_memory.cache_hits() == after_redis.cache_hits() + 1);
  CHECK(after_memory.redis_cache_hits() == 1);
  CHECK(done() == 1);
}

TEST_CASE("identical requests spread over three nodes at once cause one render in the cluster") {
  RedisServer redis;
  // No prediction: its renders of the text's other styles would count too.
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 1}, {"c", 1}}, {"--predict", "off"});
  // An animated render (hundreds of ms) keeps the first claim open while
  // the others arrive.
  const std::string text = unique_text("everyone at once");
  const auto request = [&](std::uint64_t id) {
    v1::Request r = render_request(id, text, "bounce", v1::FORMAT_WEBP_ANIMATED);
    r.mutable_render()->set_profile(v1::PROFILE_NONE);  // Telegram animates no WebP
    return r;
  };
  std::vector<std::unique_ptr<Client>> clients;
  std::uint64_t id = 0;
  for (const auto& node : nodes) {
    for (int i = 0; i < 2; ++i) {
      clients.push_back(std::make_unique<Client>(node->socket_path()));
      clients.back()->send(request(++id));
    }
  }
  std::string first;
  for (auto& client : clients) {
    const v1::Reply reply = client->receive(60s);
    REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
    if (first.empty()) first = reply.sticker().data();
    CHECK(reply.sticker().data() == first);
  }
  std::uint64_t renders = 0;
  for (const auto& node : nodes) renders += node->stats().tasks_completed();
  CHECK(renders == 1);
}

TEST_CASE("Redis killed under load: every request gets one reply; Redis back: sharing resumes") {
  RedisServer redis;
  const auto nodes = start_cluster(redis, {{"a", 2}, {"b", 2}});
  const auto& a = nodes[0];
  const auto& b = nodes[1];
  Client client(a->socket_path());
  std::set<std::uint64_t> ids;
  send_sleeps(client, 1, 20, 150);  // 1.5 s of work for A's two workers alone
  for (std::uint64_t id = 1; id <= 20; ++id) ids.insert(id);
  // Kill it while entries are out: the first answers are back, the rest not.
  v1::Reply first;
  REQUIRE(client.receive(first, 30s) == Client::Status::kReply);
  CHECK(first.has_sticker());
  ids.erase(first.id());
  redis.kill();
  REQUIRE(wait_until([&] { return link_is(*a, v1::REDIS_STATE_DEGRADED); }, kLinkTimeout));
  send_sleeps(client, 21, 10, 50);  // accepted while degraded: run on A
  for (std::uint64_t id = 21; id <= 30; ++id) ids.insert(id);
  expect_one_sticker_each(client, ids);
  CHECK(a->log().find("out in the cluster on this node's workers") != std::string::npos);

  redis.start();
  for (const Daemon* node : {a.get(), b.get()}) {
    REQUIRE(wait_until([&] { return link_is(*node, v1::REDIS_STATE_CONNECTED); }, kLinkTimeout));
    REQUIRE(wait_until([&] { return times_sharing(*node) == 2; }, kLinkTimeout));
  }
  const std::uint64_t b_before = b->stats().tasks_completed();
  send_sleeps(client, 31, 20, 100);
  ids.clear();
  for (std::uint64_t id = 31; id <= 50; ++id) ids.insert(id);
  expect_one_sticker_each(client, ids);
  CHECK(b->stats().tasks_completed() > b_before);  // B renders A's work again
}

TEST_CASE(
    "a task that crashes workers in the cluster is retried where it ran, then POISONED once") {
  RedisServer redis;
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 1}});
  const auto& a = nodes[0];
  const auto& b = nodes[1];
  Client client(a->socket_path());
  const std::string text = unique_text("cluster poison");
  client.send(render_request(1, text, "test-crash"));
  v1::Reply reply;
  REQUIRE(client.receive(reply, 60s) == Client::Status::kReply);
  CHECK(reply.id() == 1);
  CHECK_MESSAGE(reply.error().code() == v1::POISONED, describe(reply));
  v1::Reply extra;
  CHECK(client.receive(extra, 500ms) == Client::Status::kTimeout);
  // --max-retries 1: two workers died, both on the node that took it.
  const v1::Stats sa = a->stats();
  const v1::Stats sb = b->stats();
  CHECK(sa.retries() + sb.retries() == 1);
  CHECK(sa.restarts() + sb.restarts() == 2);
  CHECK((sa.restarts() == 0 || sb.restarts() == 0));
  // Dead-lettered once, and every node now refuses it at admission.
  TempDir scratch;
  CHECK(wait_until([&] { return stream_length(redis, scratch, "stickerd:dead") == "1\n"; }, 10s));
  CHECK(sa.cluster_dead_lettered() + sb.cluster_dead_lettered() == 1);
  for (const Daemon* node : {a.get(), b.get()}) {
    REQUIRE(wait_until([&] { return node->stats().poison_entries() == 1; }, 10s));
    Client again(node->socket_path());
    again.send(render_request(2, text, "test-crash"));
    v1::Reply refused;
    REQUIRE(again.receive(refused, 10s) == Client::Status::kReply);
    CHECK_MESSAGE(refused.error().code() == v1::POISONED, describe(refused));
  }
  CHECK(a->stats().restarts() + b->stats().restarts() == 2);  // no worker died for the refusals
  check_still_serving(*a);
  check_still_serving(*b);
}

TEST_CASE("an entry whose deadline passed in Redis is answered DEADLINE_EXCEEDED, not rendered") {
  RedisServer redis;
  const auto nodes = start_cluster(redis, {{"b", 1}});
  const auto& node = nodes[0];
  TempDir scratch;
  const auto cli = [&](const std::string& words) { return redis_cli(redis, scratch, words); };
  // As a node "ghost" would send it, with a deadline long gone (1 ms past
  // the epoch) and an empty spec (every field its default).
  REQUIRE(cli("XADD stickerd:tasks:interactive '*' origin ghost incarnation x id 7 deadline 1 "
              "spec ''")
              .exit_code == 0);
  CHECK(wait_until([&] { return cli("XLEN stickerd:replies:ghost").output == "1\n"; }, 10s));
  const ShellRun reply = cli("XRANGE stickerd:replies:ghost - +");
  INFO(reply.output);
  CHECK(reply.output.find("waited in the cluster; it was not rendered") != std::string::npos);
  // Answered, so acknowledged and deleted; and no worker saw it.
  CHECK(wait_until([&] { return cli("XLEN stickerd:tasks:interactive").output == "0\n"; }, 10s));
  CHECK(node->stats().tasks_completed() == 0);
  CHECK(node->stats().tasks_failed() == 0);
}

TEST_CASE(
    "a node SIGKILLed while rendering: its entries are reclaimed, every request answered once") {
  RedisServer redis;
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 2}, {"c", 1}});
  const auto& a = nodes[0];
  const auto& b = nodes[1];
  const auto& c = nodes[2];
  Client to_a(a->socket_path());
  Client to_c(c->socket_path());
  // Six 1 s sleeps for four workers: B takes two and is killed with them.
  send_sleeps(to_a, 1, 3, 1000);
  send_sleeps(to_c, 1, 3, 1000);
  REQUIRE(wait_until([&] { return b->stats().busy_workers() == 2; }, 10s));
  b->process().signal(SIGKILL);
  REQUIRE(b->process().wait_exit(10s));
  expect_one_sticker_each(to_a, {1, 2, 3});
  expect_one_sticker_each(to_c, {1, 2, 3});
  const v1::Stats sa = a->stats();
  const v1::Stats sc = c->stats();
  CHECK(sa.cluster_reclaimed() + sc.cluster_reclaimed() == 2);  // B's two entries
  CHECK(sa.tasks_completed() + sc.tasks_completed() == 6);      // all six rendered by A or C
  CHECK(sa.cluster_dead_lettered() + sc.cluster_dead_lettered() == 0);
  // The same counts in stickerctl cluster, from the registry.
  CHECK(wait_until(
      [&] {
        const auto listed = registry_of(*a);
        return listed.contains("a") && listed.contains("c") &&
               listed.at("a").reclaimed() + listed.at("c").reclaimed() == 2;
      },
      10s));
  CHECK(cluster_report(*a).dead_letters() == 0);
}

TEST_CASE("an entry trimmed from its stream before any node took it is answered at once") {
  RedisServer redis;
  // A deadline of a minute: the answer below is not the deadline's.
  const auto node = start_sharing_node(redis.url(), "a", 1, {"--deadline-ms", "60000"});
  REQUIRE(wait_until([&] { return times_sharing(*node) == 1; }, kLinkTimeout));
  TempDir scratch;
  Client client(node->socket_path());
  // The only worker renders a batch-class task while an interactive one
  // waits in its own stream, which an operator then trims to nothing.
  v1::Request busy = sleep_request(1, 4000);
  busy.mutable_render()->set_priority(v1::PRIORITY_BATCH);
  client.send(busy);
  REQUIRE(wait_until([&] { return node->stats().busy_workers() == 1; }, 10s));
  client.send(sleep_request(2, 10));
  REQUIRE(wait_until(
      [&] { return stream_length(redis, scratch, "stickerd:tasks:interactive") == "1\n"; }, 10s));
  REQUIRE(redis_cli(redis, scratch, "XTRIM stickerd:tasks:interactive MAXLEN 0").output == "1\n");
  std::map<std::uint64_t, v1::Reply> replies;
  for (int i = 0; i < 2; ++i) {
    v1::Reply reply;
    REQUIRE(client.receive(reply, 20s) == Client::Status::kReply);
    CHECK(replies.emplace(reply.id(), reply).second);  // one reply each
  }
  REQUIRE(replies.contains(1));
  REQUIRE(replies.contains(2));
  CHECK_MESSAGE(replies[1].has_sticker(), describe(replies[1]));
  REQUIRE(replies[2].has_error());
  CHECK(replies[2].error().code() == v1::QUEUE_FULL);
  CHECK(replies[2].error().message().find("trimmed") != std::string::npos);
  CHECK(node->stats().tasks_completed() == 1);  // the trimmed one never rendered
  check_still_serving(*node);
}

TEST_CASE("a render longer than the lease is renewed by its node and run once in the cluster") {
  RedisServer redis;
  const auto nodes = start_cluster(redis, {{"a", 1}, {"b", 1}});
  const auto& a = nodes[0];
  const auto& b = nodes[1];
  Client client(a->socket_path());
  // 4.5 s: past the 3 s lease (lease.h) and a reclaim scan of the idle node.
  send_sleeps(client, 1, 1, 4500);
  expect_one_sticker_each(client, {1});
  const v1::Stats sa = a->stats();
  const v1::Stats sb = b->stats();
  CHECK(sa.tasks_completed() + sb.tasks_completed() == 1);
  CHECK(sa.cluster_reclaimed() + sb.cluster_reclaimed() == 0);
}

TEST_CASE("an entry delivered more than --max-retries + 1 times is dead-lettered, POISONED once") {
  RedisServer redis;
  const auto node = start_sharing_node(redis.url(), "b", 1, {"--metrics-address", "127.0.0.1:0"});
  REQUIRE(wait_until([&] { return times_sharing(*node) == 1; }, kLinkTimeout));
  TempDir scratch;
  // As if a node "ghost" had taken its own entry twice and died each time
  // (one XREADGROUP and one XCLAIM: two deliveries), in one transaction so
  // that B cannot read it first.
  const ShellRun put = run_shell(
      fmt::format("printf '%s\\n' MULTI "
                  "'XADD stickerd:tasks:interactive 1-1 origin ghost incarnation x id 7 "
                  "deadline 0 spec \"\"' "
                  "'XREADGROUP GROUP stickerd ghost COUNT 1 STREAMS stickerd:tasks:interactive >' "
                  "'XCLAIM stickerd:tasks:interactive stickerd ghost 0 1-1' EXEC "
                  "| redis-cli -p {}",
                  redis.port()),
      scratch.path());
  INFO(put.output);
  REQUIRE(put.exit_code == 0);
  REQUIRE(put.output.find("ERR") == std::string::npos);
  // Reclaimed after the lease as its third delivery: past --max-retries 1.
  CHECK(wait_until([&] { return stream_length(redis, scratch, "stickerd:replies:ghost") == "1\n"; },
                   15s));
  const ShellRun reply = redis_cli(redis, scratch, "XRANGE stickerd:replies:ghost - +");
  INFO(reply.output);
  CHECK(reply.output.find("it is not run again") != std::string::npos);
  CHECK(stream_length(redis, scratch, "stickerd:dead") == "1\n");
  CHECK(wait_until(
      [&] { return stream_length(redis, scratch, "stickerd:tasks:interactive") == "0\n"; }, 10s));
  const v1::Stats s = node->stats();
  CHECK(s.cluster_reclaimed() == 1);
  CHECK(s.cluster_dead_lettered() == 1);
  CHECK(s.tasks_completed() + s.tasks_failed() == 0);  // never rendered
  const auto metrics = http_get(metrics_port(*node), "/metrics");
  REQUIRE(metrics);
  CHECK(sample_value(metrics->body, "stickerd_cluster_reclaimed_total") == 1.0);
  CHECK(sample_value(metrics->body, "stickerd_cluster_dead_lettered_total") == 1.0);
  // stickerctl cluster: B's counts (its registry entry, written each
  // second) and the dead-letter stream's length.
  CHECK(wait_until(
      [&] {
        const auto nodes = registry_of(*node);
        return nodes.contains("b") && nodes.at("b").reclaimed() == 1 &&
               nodes.at("b").dead_lettered() == 1;
      },
      10s));
  CHECK(cluster_report(*node).dead_letters() == 1);
  const CtlRun text = cluster_ctl(*node, false);
  INFO(text.out);
  CHECK(text.out.find("reclaimed") != std::string::npos);
  CHECK(text.out.find("dead letters 1 (stickerd:dead)") != std::string::npos);
  check_still_serving(*node);
}

TEST_CASE("a bad --redis URL stops --check-config and the start, naming where it came from") {
  TempDir dir;
  const std::string stickerd = binary_path("STICKERD_BIN");
  const ShellRun flag =
      run_shell(stickerd + " --redis 'redis://:s3cret@h:99999' --check-config", dir.path());
  INFO(flag.output);
  CHECK(flag.exit_code == 2);
  CHECK(flag.output.find("--redis: 'redis://:***@h:99999'") != std::string::npos);
  CHECK(flag.output.find("s3cret") == std::string::npos);

  const ShellRun env = run_shell("STICKERD_REDIS_URL=localhost:6379 " + stickerd, dir.path());
  INFO(env.output);
  CHECK(env.exit_code == 2);
  CHECK(env.output.find("STICKERD_REDIS_URL: 'localhost:6379'") != std::string::npos);

  const ShellRun good =
      run_shell(stickerd + " --redis 'redis://:s3cret@h:7000/2' --check-config", dir.path());
  INFO(good.output);
  CHECK(good.exit_code == 0);
  CHECK(good.output.find("redis://:***@h:7000/2") != std::string::npos);
  CHECK(good.output.find("s3cret") == std::string::npos);
}

TEST_CASE("stickerctl cluster lists every live node with its workers; a killed node drops out") {
  RedisServer redis;
  auto nodes = start_cluster(redis, {{"reg-a", 1}, {"reg-b", 2}});
  // An entry written before a node's workers were ready counts none ready.
  const auto ready = [](const std::map<std::string, v1::ClusterNode>& nodes,
                        const std::string& name) {
    const auto n = nodes.find(name);
    return n == nodes.end() ? 0u : n->second.idle_workers() + n->second.busy_workers();
  };
  std::map<std::string, v1::ClusterNode> seen;
  CHECK(wait_until(
      [&] {
        seen = registry_of(*nodes[0]);
        return ready(seen, "reg-a") == 1 && ready(seen, "reg-b") == 2;
      },
      kLinkTimeout));
  CHECK(seen.size() == 2);
  CHECK(seen["reg-a"].total_workers() == 1);
  CHECK(seen["reg-b"].total_workers() == 2);

  const CtlRun table = cluster_ctl(*nodes[1], false);
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("2 nodes (as node reg-b reads the registry)") != std::string::npos);
  CHECK(table.out.find("interactive") != std::string::npos);

  // Killed: no goodbye, so its entry lasts until its lease runs out.
  nodes[1]->process().signal(SIGKILL);
  REQUIRE(nodes[1]->process().wait_exit(10s));
  CHECK(wait_until([&] { return !registry_of(*nodes[0]).contains("reg-b"); }, kLinkTimeout));
  CHECK(registry_of(*nodes[0]).contains("reg-a"));
}

TEST_CASE("a name gone for an hour leaves the index with its reply stream; a stopping node too") {
  RedisServer redis;
  TempDir scratch;
  const auto cli = [&](const std::string& words) {
    return redis_cli(redis, scratch, words).output;
  };
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // "ghost" last wrote in 1970; "fresh" a moment ago (it may be restarting).
  REQUIRE(cli(fmt::format("ZADD stickerd:nodes 1 ghost {} fresh", now_ms)) == "2\n");
  REQUIRE(!cli("XADD stickerd:replies:ghost '*' f v").empty());
  REQUIRE(!cli("XADD stickerd:replies:fresh '*' f v").empty());
  const auto node = start_sharing_node(redis.url(), "a", 1);
  CHECK(wait_until([&] { return cli("EXISTS stickerd:replies:ghost") == "0\n"; }, kLinkTimeout));
  CHECK(cli("ZSCORE stickerd:nodes ghost") == "\n");
  CHECK(cli("EXISTS stickerd:replies:fresh") == "1\n");
  CHECK(cli("ZSCORE stickerd:nodes fresh") != "\n");

  // A node that stops takes its registry entry and its reply stream along.
  REQUIRE(wait_until([&] { return cli("ZSCORE stickerd:nodes a") != "\n"; }, 10s));
  REQUIRE(!cli("XADD stickerd:replies:a '*' f v").empty());
  node->process().signal(SIGTERM);
  REQUIRE(node->process().wait_exit(30s));
  CHECK(cli("EXISTS stickerd:replies:a") == "0\n");
  CHECK(cli("ZSCORE stickerd:nodes a") == "\n");
  CHECK(cli("EXISTS stickerd:node:a") == "0\n");
}

TEST_CASE("stickerctl cluster without --redis, or with Redis unreachable, says why at once") {
  auto single = start_daemon({.workers = 1});
  const CtlRun alone = cluster_ctl(*single, false);
  CHECK(alone.exit_code != 0);
  CHECK(alone.err.find("not in cluster mode") != std::string::npos);

  RedisServer redis;
  redis.kill();
  auto degraded = start_node(redis.url());
  const CtlRun lost = cluster_ctl(*degraded, true);
  CHECK(lost.exit_code != 0);
  CHECK(lost.err.find("redis degraded") != std::string::npos);
}

}  // namespace stickerd::itest
