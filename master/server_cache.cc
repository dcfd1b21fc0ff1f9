// Server: the result cache, single-flight and pre-generation (warm) paths.
//
// These are Server members kept apart from server.cc so the request path there
// only gains one call at each point: look up before queueing, join instead of
// queueing, lead a flight when queueing, land the flight when settling.
//
// The promise still holds: every waiter of a flight is a booked request, and
// settle_flight() routes the one result to each of them through settle(), so
// each gets exactly one reply, the sticker or the task's error. A flight whose
// leader is cancelled or whose connection closes while it is queued is handed
// to its next live waiter (rescue_dropped); a flight nobody waits for any more
// is dropped with its task.
#include <fmt/format.h>

#include "build_config.h"
#include "common/log.h"
#include "master/server.h"

namespace stickerd {
namespace {

// The renderer's output changes only with a new build of this project, so the
// project version stands in for the renderer version in the cache key (the
// cache lives in memory and dies with the daemon anyway).
constexpr std::string_view kRendererVersion = STICKERD_VERSION;

v1::Reply error_reply(ErrorCode code, std::string message) {
  v1::Reply reply;
  to_proto(make_error(code, std::move(message)), *reply.mutable_error());
  return reply;
}

}  // namespace

std::optional<std::string> Server::render_key(const TaskSpec& spec) const {
  if (!cache_.enabled()) return std::nullopt;
  return cache_key(spec.text, catalogue_.config_id(spec.style_id), spec.format, spec.profile,
                   kRendererVersion);
}

bool Server::answer_from_cache(const std::string& key, v1::Sticker& out) {
  const v1::Sticker* hit = cache_.get(key);
  publish_cache_metrics();
  if (hit == nullptr) return false;
  out = *hit;
  return true;
}

bool Server::join_flight(const std::string& key, std::uint64_t serial, std::uint32_t batch_index,
                         v1::Priority priority) {
  if (!flights_.join(key, {serial, batch_index})) return false;
  // The shared task waits in the class of its most urgent waiter.
  queue_.promote(*flights_.task_of(key), priority);
  ++cache_joined_;
  publish_cache_metrics();
  return true;
}

void Server::lead_flight(const std::string& key, std::uint64_t task_id, std::uint64_t serial,
                         std::uint32_t batch_index) {
  // An interactive or batch request now renders this key: a queued warm
  // render of it would only repeat the work.
  if (auto w = warm_keys_.find(key); w != warm_keys_.end()) {
    std::erase_if(warm_queue_, [&](const WarmTask& t) { return t.task.task_id == w->second; });
    warm_keys_.erase(w);
  }
  flights_.start(key, task_id, SingleFlight::Waiter{serial, batch_index});
}

bool Server::settle_flight(const Task& task, const v1::TaskResult& result) {
  auto landed = flights_.finish(task.task_id);
  if (!landed) return false;
  if (result.has_sticker()) {
    cache_.put(landed->key, result.sticker());
    publish_cache_metrics();
  }
  // The flight is gone now, so each settle() below takes the one-request path.
  for (const SingleFlight::Waiter& w : landed->waiters) {
    Task copy = task;
    copy.request_serial = w.serial;
    copy.batch_index = w.batch_index;
    settle(copy, result);
  }
  return true;
}

bool Server::task_wanted(const Task& task) {
  if (book_.find(task.request_serial) != nullptr) return true;
  if (const auto* waiters = flights_.waiters(task.task_id)) {
    for (const auto& w : *waiters) {
      if (book_.find(w.serial) != nullptr) return true;
    }
  }
  return false;
}

void Server::rescue_dropped(std::vector<Task> dropped) {
  for (Task& task : dropped) {
    const auto* waiters = flights_.waiters(task.task_id);
    if (waiters == nullptr) continue;
    const PendingRequest* heir = nullptr;
    std::uint32_t heir_index = 0;
    for (const auto& w : *waiters) {
      if ((heir = book_.find(w.serial)) != nullptr) {
        heir_index = w.batch_index;
        break;
      }
    }
    if (heir == nullptr) {
      flights_.finish(task.task_id);  // nobody waits: the render is not needed
      continue;
    }
    // The task now belongs to a request that still waits, so a later cancel
    // of that request finds it in the queue.
    task.request_serial = heir->serial;
    task.connection_id = heir->connection_id;
    task.batch_index = heir_index;
    queue_.push_front(std::move(task));
  }
  dispatch();
}

void Server::handle_warm(Connection& connection, std::uint64_t id, const v1::WarmRequest& warm) {
  if (state_ != State::kRunning) {
    answer(connection, id, error_reply(v1::SHUTTING_DOWN, "stickerd is shutting down; retry on another instance"));
    return;
  }
  if (!cache_.enabled()) {
    answer(connection, id,
           error_reply(v1::INVALID_ARGUMENT, "the result cache is off (--cache-mb 0): warm renders would be lost"));
    return;
  }
  // A warm request is validated exactly as a batch of the same styles.
  v1::BatchRequest as_batch;
  as_batch.set_text(warm.text());
  *as_batch.mutable_style_ids() = warm.style_ids();
  as_batch.set_format(warm.format());
  as_batch.set_profile(warm.profile());
  as_batch.set_priority(v1::PRIORITY_BACKGROUND);
  auto plan = admit_batch(as_batch, catalogue_, limits_);
  if (!plan) {
    answer(connection, id, error_reply(plan.error().code, plan.error().message));
    return;
  }
  v1::Reply reply;
  v1::WarmAccepted* ack = reply.mutable_warm_accepted();
  for (BatchItemPlan& item : *plan) {
    if (!item.spec) {
      ack->set_invalid(ack->invalid() + 1);
      continue;
    }
    std::string key = *render_key(*item.spec);
    if (cache_.contains(key) || flights_.active(key) || warm_keys_.count(key) != 0) {
      ack->set_cached(ack->cached() + 1);
      continue;
    }
    // Warm work has its own queue, bounded like the main one, so it never
    // takes a place an interactive request could need.
    if (warm_queue_.size() >= queue_.capacity()) {
      ack->set_dropped(ack->dropped() + 1);
      ++warm_dropped_;
      continue;
    }
    Task task;
    task.task_id = next_task_id_++;
    task.spec = std::move(*item.spec);
    task.spec.priority = v1::PRIORITY_BACKGROUND;
    warm_keys_.emplace(key, task.task_id);
    warm_queue_.push_back(WarmTask{std::move(task), std::move(key)});
    ack->set_queued(ack->queued() + 1);
    ++warm_queued_;
  }
  answer(connection, id, std::move(reply));
  dispatch();
}

// Warm renders go to a worker only when no interactive or batch task waits
// and, in a pool of more than one, at least one other worker stays idle: an
// interactive request arriving next then never waits behind a warm render.
void Server::dispatch_warm() {
  if (state_ != State::kRunning) return;
  while (!warm_queue_.empty() && queue_.empty() && supervisor_.has_idle_worker()) {
    const WorkerCounts w = supervisor_.counts();
    const unsigned reserve = w.total > 1 ? 1 : 0;
    if (w.idle <= reserve) return;
    WarmTask next = std::move(warm_queue_.front());
    warm_queue_.pop_front();
    warm_keys_.erase(next.key);
    // A flight without waiters: identical requests arriving now join it.
    flights_.start(next.key, next.task.task_id, std::nullopt);
    supervisor_.assign(std::move(next.task));
  }
}

void Server::publish_cache_metrics() { ops_.metrics().cache(cache_.counts(), cache_joined_); }

void Server::fill_cache_stats(v1::Stats& stats) const {
  const CacheCounts& c = cache_.counts();
  stats.set_cache_hits(c.hits);
  stats.set_cache_misses(c.misses);
  stats.set_cache_evictions(c.evictions);
  stats.set_cache_bytes(c.bytes);
  stats.set_cache_entries(c.entries);
  stats.set_cache_joined(cache_joined_);
  stats.set_warm_queued(warm_queued_);
  stats.set_warm_dropped(warm_dropped_);
  stats.set_cache_capacity_bytes(cache_.budget());
  stats.set_pool_grows(scaler_.grows());
  stats.set_pool_shrinks(scaler_.shrinks());
}

}  // namespace stickerd
