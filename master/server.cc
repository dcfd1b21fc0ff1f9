// Server: the request path (admit → queue → dispatch → settle → finish) and
// the daemon's lifecycle (start, drain, stop).
#include "master/server.h"

#include <algorithm>
#include <csignal>

#include <fmt/format.h>

#include "common/log.h"
#include "master/ingress/socket_activation.h"

namespace stickerd {
namespace {

// A render still running this long after its client's shorter deadline
// counts as hung (renders take milliseconds to a second or two).
constexpr std::uint64_t kHangGraceMs = 2'000;

// When a worker still rendering a task is killed: at the daemon's own
// deadline, or kHangGraceMs after the client's shorter one if that comes
// first, never before the client's. A client's 1 ms deadline thus answers
// the client without costing a worker, and a hung render with a short
// deadline does not hold its worker for the daemon's whole deadline.
std::uint64_t hang_at(std::uint64_t client_deadline_at, std::uint64_t daemon_deadline_at) {
  return std::max(client_deadline_at,
                  std::min(client_deadline_at + kHangGraceMs, daemon_deadline_at));
}

// How often queued and running tasks are checked against their deadlines.
// Deadlines are seconds long; 50 ms of lateness is noise.
constexpr std::uint64_t kDeadlineSweepMs = 50;

v1::Reply error_reply(ErrorCode code, std::string message) {
  v1::Reply reply;
  to_proto(make_error(code, std::move(message)), *reply.mutable_error());
  return reply;
}

v1::TaskResult error_result(ErrorCode code, std::string message) {
  v1::TaskResult result;
  to_proto(make_error(code, std::move(message)), *result.mutable_error());
  return result;
}

bool is_animated(const v1::StyleSpec& style) {
  for (int f : style.formats()) {
    if (f == v1::FORMAT_WEBP_ANIMATED || f == v1::FORMAT_TGS) return true;
  }
  return false;
}

}  // namespace

Server::Server(uv_loop_t* loop, Config config, StyleCatalogue catalogue, ConfigSource source,
               Config loaded)
    : source_(std::move(source)),
      loaded_(std::move(loaded)),
      loop_(loop),
      config_(std::move(config)),
      catalogue_(std::move(catalogue)),
      limits_{config_.max_text_length, AdmissionLimits{}.max_batch_styles, config_.deadline_ms,
              config_.enable_test_styles},
      started_ns_(uv_hrtime()),
      listener_(loop, [this](UvHandle<uv_pipe_t> pipe) { accept(std::move(pipe)); }),
      control_listener_(loop, [this](UvHandle<uv_pipe_t> pipe) { accept_control(std::move(pipe)); }),
      signals_(loop, [this](int signum) { on_signal(signum); }),
      frame_budget_(config_.max_request_buffer_mb << 20),
      queue_(config_.queue_size),
      supervisor_(loop,
                  SupervisorOptions{config_.worker_binary, config_.styles_dir, config_.workers,
                                    std::max(config_.max_frame_bytes, kDefaultMaxFrameBytes),
                                    config_.enable_test_styles, config_.max_tasks_per_worker,
                                    config_.max_worker_rss_mb << 20},
                  *this),
      ops_(loop, [this] { return snapshot(); }, [this] { return reload_and_restart(); }),
      poison_(config_.poison_ttl_s * 1000) {}

Server::~Server() = default;

std::optional<Error> Server::start() {
  auto metrics_address = parse_metrics_address(config_.metrics_address);
  if (!metrics_address) return metrics_address.error();
  // Socket activation: a socket named "client" (or the only unnamed one)
  // handed over by systemd replaces binding our own.
  auto inherited = take_inherited_sockets();
  if (!inherited) return inherited.error();
  if (auto fd = find_socket(*inherited, "client", true)) {
    if (auto e = listener_.adopt(*fd, "inherited client socket")) return e;
    log::info("listening on the inherited client socket (fd {})", *fd);
  } else {
    if (auto e = listener_.start(config_.socket_path)) return e;
    log::info("listening on {}", config_.socket_path);
  }
  if (auto e = start_control(find_socket(*inherited, "control", false))) return e;
  if (auto e = ops_.start(*metrics_address)) return e;
  reaper_.init([&](uv_check_t* c) { return uv_check_init(loop_, c); });
  reaper_.set_owner(this);
  uv_check_start(reaper_.get(), [](uv_check_t* c) {
    if (auto* self = static_cast<Server*>(c->data)) self->bury_connections();
  });
  uv_unref(reaper_.base());  // it must not keep the loop alive on its own
  deadline_timer_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  deadline_timer_.set_owner(this);
  uv_timer_start(
      deadline_timer_.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<Server*>(t->data)) self->sweep_deadlines();
      },
      kDeadlineSweepMs, kDeadlineSweepMs);
  uv_unref(deadline_timer_.base());
  drain_timer_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  drain_timer_.set_owner(this);
  uv_unref(drain_timer_.base());  // a drain ends when the work does, not the timer
  start_idle_sweep();
  supervisor_.start();
  start_scaler();  // dynamic pool sizing, when --min-workers < --max-workers
  return std::nullopt;
}

void Server::on_request(Connection& connection, v1::Request request) {
  const std::uint64_t id = request.id();
  // Every kind, the instant ones (stats, list_styles) included: a second
  // reply under an id still in flight would be matched to the wrong request.
  if (refuse_duplicate_id(connection, id)) return;
  switch (request.kind_case()) {
    case v1::Request::kRender:
      handle_render(connection, id, request.render());
      return;
    case v1::Request::kBatch:
      handle_batch(connection, id, request.batch());
      return;
    case v1::Request::kCancel:
      handle_cancel(connection, id, request.cancel());
      return;
    case v1::Request::kStats: {
      v1::Reply reply;
      fill_stats(*reply.mutable_stats());
      answer(connection, id, std::move(reply));
      return;
    }
    case v1::Request::kWarm:
      handle_warm(connection, id, request.warm());
      return;
    case v1::Request::kListStyles: {
      v1::Reply reply;
      fill_styles(*reply.mutable_styles());
      answer(connection, id, std::move(reply));
      return;
    }
    case v1::Request::kListPoison: {
      v1::Reply reply;
      fill_poison(*reply.mutable_poison());
      answer(connection, id, std::move(reply));
      return;
    }
    case v1::Request::kWorkers:
    case v1::Request::kScale:
    case v1::Request::kDrain:
    case v1::Request::kResume:
    case v1::Request::kRestartWorkers:
    case v1::Request::kReload:
      handle_control(connection, request);
      return;
    case v1::Request::KIND_NOT_SET:
      break;
  }
  // Also what a newer client's unknown kind parses to: degrade with an answer.
  answer(connection, id,
         error_reply(v1::INVALID_ARGUMENT, "unrecognised request: no kind this daemon knows is set"));
}

// ---- requests --------------------------------------------------------------

void Server::handle_render(Connection& connection, std::uint64_t id, const v1::RenderRequest& render) {
  if (state_ != State::kRunning || paused_) {
    answer(connection, id, error_reply(v1::SHUTTING_DOWN, "stickerd is shutting down; retry on another instance"));
    return;
  }
  auto spec = admit_render(render, catalogue_, limits_);
  if (!spec) {
    answer(connection, id, error_reply(spec.error().code, spec.error().message));
    return;
  }
  // A hit is answered here, without a worker or a place in the queue.
  const std::optional<std::string> key = render_key(*spec);
  if (v1::Reply hit; key && answer_from_cache(*key, *hit.mutable_sticker())) {
    answer(connection, id, std::move(hit));
    return;
  }
  if (auto refusal = poison_refusal(fingerprint(*spec))) {
    answer(connection, id, std::move(*refusal));
    return;
  }
  if (auto refusal = over_inflight_limit(connection)) {
    answer(connection, id, std::move(*refusal));
    return;
  }
  if (!queue_.can_accept(spec->priority)) {
    ++rejected_queue_full_;
    answer(connection, id,
           error_reply(v1::QUEUE_FULL, fmt::format("the queue is full ({} tasks waiting); retry later",
                                                   queue_.size())));
    return;
  }
  PendingRequest* request = book_.open(connection.id(), id, PendingRequest::Kind::kRender);
  if (request == nullptr) {
    answer(connection, id,
           error_reply(v1::INVALID_ARGUMENT,
                       fmt::format("request id {} is already pending on this connection", id)));
    return;
  }
  request->outstanding = 1;
  // An identical task is in flight: this request waits for its result.
  if (key && join_flight(*key, request->serial, 0, spec->priority)) return;
  Task task{next_task_id_++, request->serial, connection.id(), 0, 0, std::move(*spec)};
  stamp(task);
  if (key) lead_flight(*key, task.task_id, task.request_serial, 0);
  ops_.task_queued(task.task_id);
  // Cannot fail: can_accept() was checked above. It may push out a queued
  // lower-priority task, whose request is answered QUEUE_FULL.
  auto pushed = queue_.push_or_displace(task);
  if (pushed.displaced) answer_displaced(*pushed.displaced);
  dispatch();
}

void Server::handle_batch(Connection& connection, std::uint64_t id, const v1::BatchRequest& batch) {
  if (state_ != State::kRunning || paused_) {
    answer(connection, id, error_reply(v1::SHUTTING_DOWN, "stickerd is shutting down; retry on another instance"));
    return;
  }
  auto plan = admit_batch(batch, catalogue_, limits_);
  if (!plan) {
    answer(connection, id, error_reply(plan.error().code, plan.error().message));
    return;
  }
  if (auto refusal = over_inflight_limit(connection)) {
    answer(connection, id, std::move(*refusal));
    return;
  }
  PendingRequest* request = book_.open(connection.id(), id, PendingRequest::Kind::kBatch);
  if (request == nullptr) {
    answer(connection, id,
           error_reply(v1::INVALID_ARGUMENT,
                       fmt::format("request id {} is already pending on this connection", id)));
    return;
  }
  const std::uint64_t serial = request->serial;
  request->batch_count = static_cast<std::uint32_t>(plan->size());
  // Queue first, reply after: a send can close the connection and with it
  // the request, so `request` is not touched once replies start going out.
  std::vector<v1::Reply> refused;
  std::vector<Task> displaced;  // lower-priority tasks the items pushed out of a full queue
  for (std::uint32_t i = 0; i < plan->size(); ++i) {
    BatchItemPlan& item = (*plan)[i];
    std::optional<Error> error;
    if (!item.spec) {
      error = item.spec.error();
    } else if (auto refusal = poison_refusal(fingerprint(*item.spec))) {
      error = from_proto(refusal->error());
    } else if (const auto key = render_key(*item.spec); key && cache_.contains(*key)) {
      // Answered from the cache among the immediate replies below.
      v1::Reply hit;
      hit.set_id(id);
      v1::BatchItem* bi = hit.mutable_batch_item();
      bi->set_index(i);
      bi->set_style_id(item.style_id);
      answer_from_cache(*key, *bi->mutable_sticker());
      ++request->batch_succeeded;
      refused.push_back(std::move(hit));
    } else if (key && join_flight(*key, serial, i, item.spec->priority)) {
      ++request->outstanding;
    } else {
      Task task{next_task_id_++, serial, connection.id(), i, 0, std::move(*item.spec)};
      stamp(task);
      ops_.task_queued(task.task_id);
      const std::uint64_t task_id = task.task_id;
      // Each item follows the rule a render of its priority does: it may
      // displace the newest task of a strictly lower class.
      if (auto pushed = queue_.push_or_displace(task); pushed.accepted) {
        ++request->outstanding;
        if (key) lead_flight(*key, task_id, serial, i);
        if (pushed.displaced) displaced.push_back(std::move(*pushed.displaced));
      } else {
        ++rejected_queue_full_;
        error = make_error(v1::QUEUE_FULL, fmt::format("the queue is full ({} tasks waiting); retry later",
                                                       queue_.size()));
      }
    }
    if (error) {
      v1::Reply reply;
      reply.set_id(id);
      v1::BatchItem* bi = reply.mutable_batch_item();
      bi->set_index(i);
      bi->set_style_id(item.style_id);
      to_proto(*error, *bi->mutable_error());
      refused.push_back(std::move(reply));
    }
  }
  const bool nothing_queued = request->outstanding == 0;
  const std::uint32_t count = request->batch_count;
  const std::uint32_t succeeded = request->batch_succeeded;  // cache hits
  for (const auto& reply : refused) connection.send(reply);
  for (const Task& task : displaced) answer_displaced(task);
  if (nothing_queued) {
    v1::Reply done;
    done.mutable_batch_done()->set_count(count);
    done.mutable_batch_done()->set_succeeded(succeeded);
    finish(serial, std::move(done));
    return;
  }
  dispatch();
}

void Server::handle_cancel(Connection& connection, std::uint64_t id, const v1::CancelRequest& cancel) {
  const PendingRequest* target = book_.find_client(connection.id(), cancel.target_id());
  v1::Reply reply;
  reply.mutable_cancel()->set_found(target != nullptr);
  if (target != nullptr) {
    const std::uint64_t serial = target->serial;
    // Queued tasks go now; a running one finishes and is discarded, since
    // its request will no longer be in the book.
    auto dropped = queue_.remove_request(serial);
    finish(serial, error_reply(v1::CANCELLED, fmt::format("cancelled by request {}", id)));
    rescue_dropped(std::move(dropped));  // tasks other requests joined go back for them
  }
  answer(connection, id, std::move(reply));
}

void Server::fill_stats(v1::Stats& stats) const {
  const WorkerCounts w = supervisor_.counts();
  stats.set_total_workers(w.total);
  stats.set_busy_workers(w.busy);
  stats.set_idle_workers(w.idle);
  stats.set_ready_workers(w.ready);
  stats.set_queue_size(static_cast<std::uint32_t>(queue_.size()));
  stats.set_queue_capacity(static_cast<std::uint32_t>(queue_.capacity()));
  stats.set_tasks_completed(tasks_completed_);
  stats.set_tasks_failed(tasks_failed_);
  stats.set_restarts(supervisor_.exits().restarts());
  stats.set_uptime_seconds(static_cast<double>(uv_hrtime() - started_ns_) / 1e9);
  stats.set_rejected_queue_full(rejected_queue_full_);
  stats.set_connections(static_cast<std::uint32_t>(connections_.size()));
  stats.set_retries(retries_);
  stats.set_backoff_slots(w.backoff);
  stats.set_restarts_deadline(supervisor_.exits().of(ExitReason::kDeadline));
  stats.set_recycled_workers(supervisor_.exits().recycles());
  stats.set_poisoned(poisoned_);
  stats.set_deadline_exceeded(deadline_exceeded_);
  stats.set_rejected_limits(rejected_limits_);
  stats.set_poison_entries(static_cast<std::uint32_t>(poison_.size()));
  fill_cache_stats(stats);
}

void Server::fill_styles(v1::StyleList& list) const {
  list.set_default_style(catalogue_.default_style_id());
  for (const auto& style : catalogue_.styles()) {
    v1::StyleInfo* info = list.add_styles();
    info->set_id(style.id());
    info->set_name(style.name());
    *info->mutable_tags() = style.tags();
    *info->mutable_formats() = style.formats();
    info->set_config_id(catalogue_.config_id(style.id()));
    info->set_animated(is_animated(style));
  }
}

void Server::answer(Connection& connection, std::uint64_t id, v1::Reply reply) {
  // Every refusal before booking passes here.
  if (reply.has_error()) ops_.metrics().rejected(reply.error().code());
  reply.set_id(id);
  connection.send(reply);
}

void Server::send_to(std::uint64_t connection_id, const v1::Reply& reply) {
  // A connection that is gone is simply not found: nothing is written to it.
  if (auto it = connections_.find(connection_id); it != connections_.end()) it->second->send(reply);
}

void Server::finish(std::uint64_t serial, v1::Reply reply) {
  auto request = book_.take(serial);
  if (!request) return;
  ops_.metrics().request_finished(reply.has_error() ? reply.error().code() : v1::OK);
  reply.set_id(request->client_id);
  send_to(request->connection_id, reply);
  close_if_retired_and_done(request->connection_id);
}

// ---- tasks -----------------------------------------------------------------

// The dispatcher: while a READY worker is idle, it gets the oldest task of
// the highest priority class (TaskQueue::pop decides the order).
void Server::dispatch() {
  if (state_ == State::kStopping) return;
  while (!queue_.empty() && supervisor_.has_idle_worker()) {
    Task task = *queue_.pop();
    if (task.deadline_at_ms != 0 && task.deadline_at_ms <= uv_now(loop_)) {
      // Its deadline passed in the queue: rendering it would be wasted work.
      ++deadline_exceeded_;
      ++tasks_failed_;
      settle(task, error_result(v1::DEADLINE_EXCEEDED,
                                fmt::format("the deadline of {} ms passed while the request was "
                                            "queued; retry later or ask for a longer deadline",
                                            task.spec.deadline_ms)));
      if (state_ == State::kStopping) return;
      continue;
    }
    ops_.task_dispatched(task.task_id);
    supervisor_.assign(std::move(task));
  }
  dispatch_warm();  // background renders only once nothing else waits
}

void Server::settle(const Task& task, v1::TaskResult result) {
  if (settle_flight(task, result)) return;  // every waiter of its flight, and the cache
  PendingRequest* request = book_.find(task.request_serial);
  if (request == nullptr) return;  // cancelled, or its client left: discard
  const bool ok = result.has_sticker();
  if (!ok && (!result.has_error() || result.error().code() == v1::OK)) {
    result = error_result(v1::INTERNAL, "the worker answered with neither a sticker nor an error");
  }
  if (request->kind == PendingRequest::Kind::kRender) {
    v1::Reply reply;
    if (ok) {
      reply.mutable_sticker()->Swap(result.mutable_sticker());
    } else {
      reply.mutable_error()->Swap(result.mutable_error());
    }
    finish(request->serial, std::move(reply));
    return;
  }
  v1::Reply item;
  item.set_id(request->client_id);
  v1::BatchItem* bi = item.mutable_batch_item();
  bi->set_index(task.batch_index);
  bi->set_style_id(task.spec.style_id);
  if (ok) {
    bi->mutable_sticker()->Swap(result.mutable_sticker());
  } else {
    bi->mutable_error()->Swap(result.mutable_error());
  }
  --request->outstanding;
  if (ok) ++request->batch_succeeded;
  // Copy what the batch_done needs: sending may close the connection and
  // take the request with it.
  const std::uint64_t serial = request->serial;
  const bool last = request->outstanding == 0;
  v1::Reply done;
  done.mutable_batch_done()->set_count(request->batch_count);
  done.mutable_batch_done()->set_succeeded(request->batch_succeeded);
  send_to(request->connection_id, item);
  if (last) finish(serial, std::move(done));
}

void Server::on_worker_idle() {
  ops_.pool_changed();
  advance_rolling_restart();
  dispatch();
  maybe_finish_drain();
}

void Server::on_task_result(Task task, v1::TaskResult result) {
  ops_.task_finished(task.task_id, result.has_sticker(),
                     result.has_sticker() ? &result.sticker() : nullptr);
  if (result.has_sticker()) {
    ++tasks_completed_;
  } else {
    ++tasks_failed_;
  }
  settle(task, std::move(result));
}

// The fate of a task whose worker died: retried up to --max-retries times;
// then POISONED when every death was the worker's own doing (a crash signal
// or an exit code: the request is the likely cause, so identical requests are
// refused for a while), or WORKER_CRASHED when something outside killed it
// (SIGKILL, SIGTERM: an operator, the OOM killer, a chaos test), which says
// nothing about the request.
void Server::on_task_lost(Task task, DeathCause cause) {
  if (!task_wanted(task)) {  // nobody waits for it (a warm render, or all left)
    flights_.finish(task.task_id);
    return;
  }
  const bool self_inflicted = cause.term_signal != SIGKILL && cause.term_signal != SIGTERM;
  if (self_inflicted) ++task.crashes;
  if (task.attempts <= config_.max_retries && state_ != State::kStopping) {
    ++retries_;
    log::info("retrying task {} on another worker", task.task_id);
    ops_.task_queued(task.task_id);
    queue_.push_front(std::move(task));
    dispatch();
    return;
  }
  ++tasks_failed_;
  if (state_ != State::kStopping && task.crashes > config_.max_retries) {
    ++poisoned_;
    poison_.add(task.fingerprint, task.spec, cause, task.crashes, uv_now(loop_));
    const std::string how = describe_death(cause);
    log::warning("task {} killed {} workers (last by {}); its request is poisoned for {} s",
                 task.task_id, task.crashes, how, config_.poison_ttl_s);
    settle(task, error_result(v1::POISONED,
                              fmt::format("this request killed {} workers (the last by {}); identical "
                                          "requests are refused for {} s",
                                          task.crashes, how, config_.poison_ttl_s)));
  } else {
    settle(task, error_result(v1::WORKER_CRASHED,
                              "the worker died while rendering this request, and again on the "
                              "retry"));
  }
  maybe_finish_drain();
}

// ---- reliability -------------------------------------------------------------

std::uint64_t Server::fingerprint(const TaskSpec& spec) const {
  return request_fingerprint(spec, catalogue_.config_id(spec.style_id));
}

void Server::stamp(Task& task) const {
  task.fingerprint = fingerprint(task.spec);
  // Admission clamped the request's deadline to the daemon's; queue time counts.
  task.deadline_at_ms = uv_now(loop_) + task.spec.deadline_ms;
  task.hang_at_ms = hang_at(task.deadline_at_ms, uv_now(loop_) + limits_.deadline_ms);
}

std::optional<v1::Reply> Server::poison_refusal(std::uint64_t fp) {
  const PoisonEntry* e = poison_.refuse(fp, uv_now(loop_));
  if (e == nullptr) return std::nullopt;
  ++poisoned_;
  const std::uint64_t left_s = (config_.poison_ttl_s * 1000 - (uv_now(loop_) - e->last_seen_ms)) / 1000;
  return error_reply(v1::POISONED,
                     fmt::format("an identical request killed {} workers; it is refused for another "
                                 "{} s (stickerctl poison lists these)",
                                 e->kills, left_s));
}

std::optional<v1::Reply> Server::over_inflight_limit(const Connection& connection) {
  if (book_.count_connection(connection.id()) < config_.max_inflight) return std::nullopt;
  ++rejected_limits_;
  return error_reply(v1::QUEUE_FULL,
                     fmt::format("this connection already has {} requests pending, the limit; wait "
                                 "for replies before sending more",
                                 config_.max_inflight));
}

void Server::answer_displaced(const Task& task) {
  ++rejected_queue_full_;
  ++tasks_failed_;
  settle(task, error_result(v1::QUEUE_FULL,
                            "the queue is full and a higher-priority request took this one's "
                            "place; retry later"));
}

void Server::sweep_deadlines() {
  const std::uint64_t now = uv_now(loop_);
  std::vector<Task> expired = queue_.remove_expired(now);
  const std::size_t queued = expired.size();
  for (Task& t : supervisor_.expire_running(now)) expired.push_back(std::move(t));
  for (std::size_t i = 0; i < expired.size(); ++i) {
    const Task& task = expired[i];
    ++deadline_exceeded_;
    ++tasks_failed_;
    settle(task, error_result(v1::DEADLINE_EXCEEDED,
                              fmt::format("the deadline of {} ms passed while the request was {}; "
                                          "it was not retried",
                                          task.spec.deadline_ms, i < queued ? "queued" : "rendering")));
  }
  if (!expired.empty()) maybe_finish_drain();
}

void Server::fill_poison(v1::PoisonList& list) {
  const std::uint64_t now = uv_now(loop_);
  for (const PoisonEntry& e : poison_.list(now)) {
    v1::PoisonEntry* p = list.add_entries();
    p->set_fingerprint(fmt::format("{:016x}", e.fingerprint));
    p->set_style_id(e.style_id);
    p->set_text_preview(e.text_preview);
    p->set_term_signal(e.cause.term_signal);
    p->set_exit_code(e.cause.exit_code);
    p->set_kills(e.kills);
    p->set_refused(e.refused);
    p->set_age_seconds(static_cast<double>(now - e.first_seen_ms) / 1000.0);
    p->set_expires_in_seconds(
        static_cast<double>(config_.poison_ttl_s * 1000 - (now - e.last_seen_ms)) / 1000.0);
  }
}

void Server::on_no_workers_possible(const std::string& reason) {
  log::error("{}", reason);
  exit_code_ = 1;
  state_ = State::kStopping;
  listener_.close();
  for (Task& task : queue_.take_all()) {
    ++tasks_failed_;
    settle(task, error_result(v1::INTERNAL, reason));
  }
  supervisor_.stop();
}

// ---- operations ------------------------------------------------------------

PoolSnapshot Server::snapshot() const {
  const WorkerCounts w = supervisor_.counts();
  PoolSnapshot s;
  s.pool = {w.total, w.ready, w.busy, queue_.size(), queue_.capacity(), connections_.size()};
  s.exits = supervisor_.exits();
  s.tasks_completed = tasks_completed_;
  for (const WorkerView& v : supervisor_.workers()) {
    if (v.pid > 0) s.worker_pids.emplace_back(v.slot, v.pid);
  }
  return s;
}

// Re-reads the style catalogue (reload_all(), after the configuration). A bad
// catalogue keeps the old one. Workers load styles at start, so they see a new style
// after their next restart (recycling, or a rolling restart).
std::optional<Error> Server::reload_styles() {
  auto catalogue = StyleCatalogue::load_dir(config_.styles_dir);
  if (!catalogue) return catalogue.error();
  if (catalogue->styles().empty()) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("{} has no styles", config_.styles_dir));
  }
  log::info("reloaded {} styles from {}", catalogue->styles().size(), config_.styles_dir);
  catalogue_ = std::move(*catalogue);
  return std::nullopt;
}

// SIGHUP (systemd's ExecReload): the configuration and the new catalogue
// (reload_all()), then every worker replaced one at a time, each after its
// current task, so no request fails and every worker runs the new styles. Operations sends READY=1 when
// advance_rolling_restart() sees the last one READY.
std::optional<Error> Server::reload_and_restart() {
  auto reloaded = reload_all();
  if (!reloaded) return reloaded.error();
  if (state_ != State::kRunning) return std::nullopt;  // draining: nothing to restart for
  reload_restarting_ = true;
  supervisor_.start_rolling_restart();
  advance_rolling_restart();  // a pool with nothing to replace is done at once
  return std::nullopt;
}

// ---- shutdown --------------------------------------------------------------

// The first SIGTERM/SIGINT (or `stickerctl drain --exit`) drains: admission
// stops, accepted work has --drain-grace-ms to finish, and what is left then
// is answered SHUTTING_DOWN. A second signal ends the drain at once and exits 1.
void Server::on_signal(int signum) {
  if (state_ == State::kRunning) {
    begin_shutdown(::strsignal(signum));
    return;
  }
  log::warning("{} again: answering what is left SHUTTING_DOWN and exiting now", ::strsignal(signum));
  exit_code_ = 1;
  abandon_remaining_work();
}

void Server::begin_shutdown(std::string_view why) {
  log::info("{}: draining ({} queued, {} running) for at most {} ms; new requests get "
            "SHUTTING_DOWN", why, queue_.size(), supervisor_.counts().busy, config_.drain_grace_ms);
  state_ = State::kDraining;
  ops_.stopping();
  listener_.close();
  uv_timer_start(
      drain_timer_.get(),
      [](uv_timer_t* t) {
        auto* self = static_cast<Server*>(t->data);
        if (self == nullptr || self->state_ != State::kDraining) return;
        log::warning("the drain's grace period of {} ms is over: answering what is left "
                     "SHUTTING_DOWN", self->config_.drain_grace_ms);
        self->abandon_remaining_work();
      },
      config_.drain_grace_ms, 0);
  maybe_finish_drain();
}

void Server::maybe_finish_drain() {
  if (state_ != State::kDraining || !queue_.empty() || supervisor_.counts().busy > 0) return;
  log::info("drained: stopping the workers");
  state_ = State::kStopping;
  uv_timer_stop(drain_timer_.get());
  supervisor_.stop();
}

void Server::abandon_remaining_work() {
  state_ = State::kStopping;
  uv_timer_stop(drain_timer_.get());
  const auto refuse = [this](std::vector<Task> tasks, const char* where) {
    for (const Task& task : tasks) {
      ++tasks_failed_;
      settle(task, error_result(v1::SHUTTING_DOWN,
                                fmt::format("stickerd shut down while this request was {}; retry "
                                            "on another instance", where)));
    }
  };
  // The queued ones first: kill_all() reports the workers stopped at once
  // when none is alive, and that starts closing the connections.
  refuse(queue_.take_all(), "queued");
  refuse(supervisor_.kill_all(), "rendering");
}

void Server::on_workers_stopped() {
  // Every reply is queued by now; flush them, then let every handle go so
  // the loop runs out and closes cleanly.
  refuse_rolling_waiters();  // nothing respawns now: no rolling restart can finish
  listener_.close();
  control_listener_.close();
  signals_.close();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, c] : connections_) ids.push_back(id);
  for (auto id : ids) {
    if (auto it = connections_.find(id); it != connections_.end()) it->second->close_after_flush();
  }
  log::info("stopped (exit code {})", exit_code_);
}

}  // namespace stickerd
