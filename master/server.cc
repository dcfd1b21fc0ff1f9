// Server: the request path (admit → queue → dispatch → settle → finish) and
// the daemon's lifecycle (start, drain, stop).
#include "master/server.h"

#include <csignal>

#include <fmt/format.h>

#include "common/log.h"

namespace stickerd {
namespace {

// A task is handed to at most this many workers: the first, and one retry
// after that worker died. A second death makes it WORKER_CRASHED.
constexpr unsigned kMaxAttempts = 2;

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

Server::Server(uv_loop_t* loop, Config config, StyleCatalogue catalogue)
    : loop_(loop),
      config_(std::move(config)),
      catalogue_(std::move(catalogue)),
      limits_{config_.max_text_length, AdmissionLimits{}.max_batch_styles},
      started_ns_(uv_hrtime()),
      listener_(loop, [this](UvHandle<uv_pipe_t> pipe) { accept(std::move(pipe)); }),
      signals_(loop, [this](int signum) { on_signal(signum); }),
      queue_(config_.queue_size),
      supervisor_(loop,
                  SupervisorOptions{config_.worker_binary, config_.styles_dir, config_.workers,
                                    std::max(config_.max_frame_bytes, kDefaultMaxFrameBytes)},
                  *this) {}

Server::~Server() = default;

std::optional<Error> Server::start() {
  if (auto e = listener_.start(config_.socket_path)) return e;
  log::info("listening on {}", config_.socket_path);
  reaper_.init([&](uv_check_t* c) { return uv_check_init(loop_, c); });
  reaper_.set_owner(this);
  uv_check_start(reaper_.get(), [](uv_check_t* c) {
    if (auto* self = static_cast<Server*>(c->data)) self->graveyard_.clear();
  });
  uv_unref(reaper_.base());  // it must not keep the loop alive on its own
  supervisor_.start();
  return std::nullopt;
}

// ---- connections -----------------------------------------------------------

void Server::accept(UvHandle<uv_pipe_t> pipe) {
  if (state_ != State::kRunning) return;  // the pipe closes as it goes out of scope
  const std::uint64_t id = next_connection_id_++;
  ConnectionEvents& events = *this;
  auto connection = std::make_unique<Connection>(id, std::move(pipe), config_.max_frame_bytes, events);
  Connection& c = *connection;
  connections_.emplace(id, std::move(connection));
  c.start();
}

void Server::on_connection_closed(Connection& connection) {
  const std::uint64_t id = connection.id();
  const auto dropped = queue_.remove_connection(id);
  const auto forgotten = book_.take_connection(id);
  if (!forgotten.empty()) {
    log::info("connection {} closed with {} requests pending; dropped {} queued tasks", id,
              forgotten.size(), dropped.size());
  }
  if (auto it = connections_.find(id); it != connections_.end()) {
    graveyard_.push_back(std::move(it->second));
    connections_.erase(it);
  }
  maybe_finish_drain();
}

void Server::on_request(Connection& connection, v1::Request request) {
  const std::uint64_t id = request.id();
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
    case v1::Request::kListStyles: {
      v1::Reply reply;
      fill_styles(*reply.mutable_styles());
      answer(connection, id, std::move(reply));
      return;
    }
    case v1::Request::KIND_NOT_SET:
      break;
  }
  // Also what a newer client's unknown kind parses to: degrade with an answer.
  answer(connection, id,
         error_reply(v1::INVALID_ARGUMENT, "unrecognised request: no kind this daemon knows is set"));
}

// ---- requests --------------------------------------------------------------

void Server::handle_render(Connection& connection, std::uint64_t id, const v1::RenderRequest& render) {
  if (state_ != State::kRunning) {
    answer(connection, id, error_reply(v1::SHUTTING_DOWN, "stickerd is shutting down; retry on another instance"));
    return;
  }
  auto spec = admit_render(render, catalogue_, limits_);
  if (!spec) {
    answer(connection, id, error_reply(spec.error().code, spec.error().message));
    return;
  }
  if (queue_.full()) {
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
  Task task{next_task_id_++, request->serial, connection.id(), 0, 0, std::move(*spec)};
  queue_.push_back(task);  // cannot fail: fullness was checked above
  dispatch();
}

void Server::handle_batch(Connection& connection, std::uint64_t id, const v1::BatchRequest& batch) {
  if (state_ != State::kRunning) {
    answer(connection, id, error_reply(v1::SHUTTING_DOWN, "stickerd is shutting down; retry on another instance"));
    return;
  }
  auto plan = admit_batch(batch, catalogue_, limits_);
  if (!plan) {
    answer(connection, id, error_reply(plan.error().code, plan.error().message));
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
  for (std::uint32_t i = 0; i < plan->size(); ++i) {
    BatchItemPlan& item = (*plan)[i];
    std::optional<Error> error;
    if (!item.spec) {
      error = item.spec.error();
    } else {
      Task task{next_task_id_++, serial, connection.id(), i, 0, std::move(*item.spec)};
      if (queue_.push_back(task)) {
        ++request->outstanding;
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
  for (const auto& reply : refused) connection.send(reply);
  if (nothing_queued) {
    v1::Reply done;
    done.mutable_batch_done()->set_count(count);
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
    queue_.remove_request(serial);
    finish(serial, error_reply(v1::CANCELLED, fmt::format("cancelled by request {}", id)));
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
  stats.set_restarts(supervisor_.restarts());
  stats.set_uptime_seconds(static_cast<double>(uv_hrtime() - started_ns_) / 1e9);
  stats.set_rejected_queue_full(rejected_queue_full_);
  stats.set_connections(static_cast<std::uint32_t>(connections_.size()));
  stats.set_retries(retries_);
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
  reply.set_id(request->client_id);
  send_to(request->connection_id, reply);
}

// ---- tasks -----------------------------------------------------------------

// The dispatcher: while a READY worker is idle, it gets the oldest task of
// the highest priority class (TaskQueue::pop decides the order).
void Server::dispatch() {
  if (state_ == State::kStopping) return;
  while (!queue_.empty() && supervisor_.has_idle_worker()) supervisor_.assign(*queue_.pop());
}

void Server::settle(const Task& task, v1::TaskResult result) {
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
  dispatch();
  maybe_finish_drain();
}

void Server::on_task_result(Task task, v1::TaskResult result) {
  if (result.has_sticker()) {
    ++tasks_completed_;
  } else {
    ++tasks_failed_;
  }
  settle(task, std::move(result));
}

void Server::on_task_lost(Task task) {
  if (book_.find(task.request_serial) == nullptr) return;  // nobody waits for it
  if (task.attempts < kMaxAttempts && state_ != State::kStopping) {
    ++retries_;
    log::info("retrying task {} on another worker", task.task_id);
    queue_.push_front(std::move(task));
    dispatch();
    return;
  }
  ++tasks_failed_;
  settle(task, error_result(v1::WORKER_CRASHED,
                            "the worker died while rendering this request, and again on the "
                            "retry; the request may be what crashes it"));
  maybe_finish_drain();
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

// ---- shutdown --------------------------------------------------------------

void Server::on_signal(int signum) {
  if (state_ == State::kRunning) {
    log::info("{}: draining ({} queued, {} running); new requests get SHUTTING_DOWN",
              ::strsignal(signum), queue_.size(), supervisor_.counts().busy);
    state_ = State::kDraining;
    listener_.close();
    maybe_finish_drain();
    return;
  }
  log::warning("{} again: exiting now without finishing the remaining work", ::strsignal(signum));
  exit_code_ = 1;
  state_ = State::kStopping;
  queue_.take_all();
  supervisor_.kill_all();
}

void Server::maybe_finish_drain() {
  if (state_ != State::kDraining || !queue_.empty() || supervisor_.counts().busy > 0) return;
  log::info("drained: stopping the workers");
  state_ = State::kStopping;
  supervisor_.stop();
}

void Server::on_workers_stopped() {
  // Every reply is queued by now; flush them, then let every handle go so
  // the loop runs out and closes cleanly.
  listener_.close();
  signals_.close();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, c] : connections_) ids.push_back(id);
  for (auto id : ids) {
    if (auto it = connections_.find(id); it != connections_.end()) it->second->close_after_flush();
  }
  log::info("stopped (exit code {})", exit_code_);
}

}  // namespace stickerd
