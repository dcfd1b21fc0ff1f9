// Server: the wiring (see server.h). Every method here only routes.
#include "master/server.h"

#include <algorithm>

#include "master/cluster/node_name.h"
#include "master/config/redis_url.h"
#include "master/ingress/socket_activation.h"
#include "master/requests/error_reply.h"
#include "master/service/answer.h"

namespace stickerd {

Server::Server(uv_loop_t* loop, Config config, StyleCatalogue catalogue, ConfigSource source,
               Config loaded)
    : loop_(loop),
      config_(std::move(config)),
      catalogue_(std::move(catalogue)),
      limits_{config_.max_text_length, AdmissionLimits{}.max_batch_styles, config_.deadline_ms,
              config_.enable_test_styles},
      // The disk tier is looked up by the memory tier's keys: off without it.
      requests_(loop, config_.queue_size, config_.cache_mb << 20, config_.disk_cache_dir,
                config_.cache_mb == 0 ? 0 : config_.disk_cache_mb << 20,
                config_.poison_ttl_s * 1000),
      signals_(loop, [this](int signum) { lifecycle_.on_signal(signum); }),
      supervisor_(loop,
                  SupervisorOptions{config_.worker_binary, config_.styles_dir, config_.workers,
                                    std::max(config_.max_frame_bytes, kDefaultMaxFrameBytes),
                                    config_.enable_test_styles, config_.max_tasks_per_worker,
                                    config_.max_worker_rss_mb << 20, config_.sandbox != "off"},
                  *this),
      ops_(
          loop, [this] { return reports_.snapshot(); },
          [this] { return reloader_.reload_and_restart(); }),
      connections_(
          {loop, config_, state_, ops_.metrics(), requests_.counters, *this,
           [this](std::uint64_t c, std::optional<std::uint64_t> id) { return in_flight(c, id); },
           [this](UvHandle<uv_pipe_t> pipe) { control_.accept(std::move(pipe)); }}),
      dispatcher_({loop, config_, state_, requests_, supervisor_, ops_, connections_},
                  [this] { lifecycle_.maybe_finish_drain(); }),
      intake_({loop, config_, catalogue_, limits_, state_, requests_, ops_, dispatcher_}),
      rolling_(supervisor_, ops_, connections_, intake_),
      reloader_({std::move(source), std::move(loaded), config_, catalogue_, limits_, state_,
                 supervisor_, requests_.queue, connections_.frame_budget(), requests_.cache,
                 dispatcher_, rolling_}),
      lifecycle_({loop, config_, state_, requests_.queue, supervisor_, ops_, dispatcher_,
                  connections_, rolling_, signals_, redis_,
                  [this] {
                    if (registry_) registry_->leave();
                    if (sharing_) sharing_->close();
                  }}),
      control_({config_, state_, supervisor_, requests_.queue, ops_.metrics(), dispatcher_, intake_,
                connections_, rolling_, lifecycle_, reloader_, requests_.popularity, registry_}),
      sizing_(loop, config_, state_, supervisor_, requests_.queue, ops_.metrics(), dispatcher_),
      reports_({loop, config_, catalogue_, requests_, supervisor_, connections_, sizing_, redis_}) {
}

Server::~Server() = default;

std::optional<Error> Server::start() {
  auto metrics_address = parse_metrics_address(config_.metrics_address);
  if (!metrics_address) return metrics_address.error();
  // Socket activation: a socket named "client" (or the only unnamed one)
  // handed over by systemd replaces binding our own.
  auto inherited = take_inherited_sockets();
  if (!inherited) return inherited.error();
  if (auto e = connections_.start(find_socket(*inherited, "client", true))) return e;
  if (auto e = control_.start(find_socket(*inherited, "control", false))) return e;
  if (auto e = ops_.start(*metrics_address)) return e;
  if (!config_.redis_url.empty()) {
    auto url = parse_redis_url(config_.redis_url);
    if (!url) return url.error();
    redis_.emplace(loop_, *url, [this](RedisState state) {
      ops_.metrics().redis_up(state == RedisState::kConnected);
      if (sharing_) sharing_->link_changed(state);
      if (registry_) registry_->link_changed(state);
    });
    sharing_.emplace(WorkSharingParts{loop_, config_, catalogue_, state_, requests_, supervisor_,
                                      dispatcher_, *redis_, ops_.metrics(), std::move(*url),
                                      node_name(config_.node_name),
                                      [this] { lifecycle_.maybe_finish_drain(); }});
    sharing_->start();
    redis_cache_.emplace(*redis_, node_name(config_.node_name));
    dispatcher_.set_redis_cache(&*redis_cache_);
    registry_.emplace(NodeRegistryParts{
        loop_, *redis_, ops_.metrics(), node_name(config_.node_name), [this] {
          const PoolSnapshot s = reports_.snapshot();
          return NodeRecord{
              s.pool.total_workers,
              s.pool.ready_workers - std::min(s.pool.busy_workers, s.pool.ready_workers),
              s.pool.busy_workers,
              static_cast<std::uint32_t>(s.pool.queue_size),
              s.tasks_completed,
              requests_.counters.cluster_reclaimed,
              requests_.counters.cluster_dead_lettered,
              0};
        }});
    registry_->start();
    redis_->start();
  }
  dispatcher_.start();
  requests_.disk.start();
  lifecycle_.start();
  supervisor_.start();
  sizing_.start();  // dynamic pool sizing, when --min-workers < --max-workers
  return std::nullopt;
}

void Server::on_request(Connection& connection, v1::Request request) {
  const std::uint64_t id = request.id();
  // Every kind, the instant ones (stats, list_styles) included: a second
  // reply under an id still in flight would be matched to the wrong request.
  if (connections_.refuse_duplicate_id(connection, id)) return;
  v1::Reply reply;
  switch (request.kind_case()) {
    case v1::Request::kRender:
      return intake_.render(connection, id, request.render());
    case v1::Request::kBatch:
      return intake_.batch(connection, id, request.batch());
    case v1::Request::kWarm:
      return intake_.warm(connection, id, request.warm());
    case v1::Request::kCancel:
      return intake_.cancel(connection, id, request.cancel());
    case v1::Request::kStats:
      reports_.fill_stats(*reply.mutable_stats());
      return answer(ops_.metrics(), connection, id, std::move(reply));
    case v1::Request::kListStyles:
      reports_.fill_styles(*reply.mutable_styles());
      return answer(ops_.metrics(), connection, id, std::move(reply));
    case v1::Request::kListPoison:
      reports_.fill_poison(*reply.mutable_poison());
      return answer(ops_.metrics(), connection, id, std::move(reply));
    case v1::Request::kWorkers:
    case v1::Request::kScale:
    case v1::Request::kDrain:
    case v1::Request::kResume:
    case v1::Request::kRestartWorkers:
    case v1::Request::kReload:
    case v1::Request::kCacheTop:
    case v1::Request::kCluster:
      return control_.handle(connection, request);
    case v1::Request::KIND_NOT_SET:
      break;
  }
  // Also what a newer client's unknown kind parses to: degrade with an answer.
  answer(
      ops_.metrics(), connection, id,
      error_reply(v1::INVALID_ARGUMENT, "unrecognised request: no kind this daemon knows is set"));
}

void Server::on_malformed_request(Connection& connection, std::uint64_t id, Error error) {
  if (connections_.refuse_duplicate_id(connection, id)) return;
  answer(ops_.metrics(), connection, id, error_reply(error.code, error.message));
}

void Server::on_connection_retired(Connection& connection) {
  connections_.close_if_retired_and_done(connection.id());
}

void Server::on_connection_closed(Connection& connection) {
  const std::uint64_t id = connection.id();
  control_.forget(id);
  dispatcher_.connection_gone(id);  // its requests leave the book, its queued tasks the queue
  connections_.forget(connection);
  lifecycle_.maybe_finish_drain();
}

bool Server::in_flight(std::uint64_t connection_id, std::optional<std::uint64_t> id) {
  RequestBook& book = requests_.book;
  if (id ? book.find_client(connection_id, *id) != nullptr
         : book.count_connection(connection_id) > 0) {
    return true;
  }
  return rolling_.waiting(connection_id, id);
}

void Server::on_worker_idle() {
  ops_.pool_changed();
  rolling_.advance();
  if (sharing_) sharing_->worker_idle();  // cluster entries already taken for it go first
  dispatcher_.dispatch();
  lifecycle_.maybe_finish_drain();
}

void Server::on_worker_started(double startup_seconds) {
  ops_.metrics().worker_started(startup_seconds);
}

void Server::on_task_result(Task task, v1::TaskResult result) {
  dispatcher_.task_result(std::move(task), std::move(result));
}

void Server::on_task_lost(Task task, DeathCause cause) {
  dispatcher_.task_lost(std::move(task), cause);
}

void Server::on_workers_stopped() { lifecycle_.workers_stopped(); }

void Server::on_no_workers_possible(const std::string& reason) { lifecycle_.give_up(reason); }

}  // namespace stickerd
