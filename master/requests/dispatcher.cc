#include "master/requests/dispatcher.h"

#include <csignal>

#include <fmt/format.h>

#include "common/log.h"
#include "master/pool/exit_reason.h"
#include "master/requests/deadlines.h"
#include "master/requests/error_reply.h"
#include "master/requests/task_fate.h"
#include "master/uv/repeating_timer.h"

namespace stickerd {
namespace {

// How often queued and running tasks are checked against their deadlines.
// Deadlines are seconds long; 50 ms of lateness is noise.
constexpr std::uint64_t kDeadlineSweepMs = 50;
// A disk read takes a millisecond or so, a Redis GET on a private network
// about as long; one this late (a failing disk, an overloaded threadpool, a
// Redis that hangs) is given up on and the sticker rendered instead.
constexpr std::uint64_t kTierReadPatienceMs = 250;
// How long a task waits for another node's render of its key before it
// renders here: the claim's lease (RedisCache::kClaimMs), after which the
// claim is free anyway.
constexpr std::uint64_t kClusterFlightPatienceMs = RedisCache::kClaimMs;

}  // namespace

Dispatcher::Dispatcher(DispatchParts parts, std::function<void()> answered_work)
    : p_(parts),
      r_(p_.requests),
      replies_(r_.book, p_.sink, p_.ops.metrics()),
      answered_work_(std::move(answered_work)) {}

void Dispatcher::start() {
  start_repeating<Dispatcher, &Dispatcher::sweep_deadlines>(deadline_timer_, p_.loop, this,
                                                            kDeadlineSweepMs);
  r_.disk.on_change([this] { publish_cache_metrics(); });
  // The most popular stickers on disk are kept in half of memory: loaded at
  // start, and loaded back when memory evicted them.
  r_.disk.keep_warm(
      r_.cache.budget() / 2,
      [this](const std::string& key, v1::Sticker s) { r_.cache.put(key, std::move(s)); },
      [this](const std::string& key) { return r_.cache.contains(key); });
}

void Dispatcher::dispatch() {
  if (p_.state == RunState::kStopping) return;
  ship_queued();
  if (p_.state == RunState::kStopping) return;  // an expired task's answer may end a drain
  while (!r_.queue.empty() && p_.supervisor.has_idle_worker()) {
    Task task = *r_.queue.pop();
    if (answer_if_expired(task)) {
      if (p_.state == RunState::kStopping) return;
      continue;
    }
    p_.ops.task_dispatched(task.task_id);
    p_.supervisor.assign(std::move(task));
  }
  dispatch_warm();  // background renders only once nothing else waits
}

// In cluster mode a queued task goes to the cluster's streams, where this
// node's idle workers take it like any other node's (queue order is kept:
// the highest class leaves first). What the cluster cannot take now stays
// here for the local workers, under the queue's own bound.
void Dispatcher::ship_queued() {
  if (offload_ == nullptr) return;
  while (!r_.queue.empty() && offload_->can_ship()) {
    Task task = *r_.queue.pop();
    if (answer_if_expired(task)) {
      if (p_.state == RunState::kStopping) return;
      continue;
    }
    p_.ops.task_dispatched(task.task_id);
    offload_->ship(std::move(task));
  }
}

bool Dispatcher::answer_if_expired(const Task& task) {
  if (!past_deadline(task, uv_now(p_.loop))) return false;
  // Its deadline passed in the queue: rendering it would be wasted work.
  ++r_.counters.deadline_exceeded;
  ++r_.counters.tasks_failed;
  settle(task, error_result(v1::DEADLINE_EXCEEDED,
                            fmt::format("the deadline of {} ms passed while the request was "
                                        "queued; retry later or ask for a longer deadline",
                                        task.spec.deadline_ms)));
  return true;
}

// Warm renders go to a worker only when no interactive or batch task waits
// and, in a pool of more than one, at least one other worker stays idle: an
// interactive request arriving next then never waits behind a warm render.
void Dispatcher::dispatch_warm() {
  if (p_.state != RunState::kRunning) return;
  while (!r_.warm.empty() && r_.queue.empty() && p_.supervisor.has_idle_worker()) {
    const WorkerCounts w = p_.supervisor.counts();
    const unsigned reserve = w.total > 1 ? 1 : 0;
    if (w.idle <= reserve) return;
    WarmQueue::Entry next = r_.warm.pop();
    // A flight without waiters: identical requests arriving now join it.
    r_.flights.start(next.key, next.task.task_id, std::nullopt);
    p_.supervisor.assign(std::move(next.task));
  }
}

void Dispatcher::settle(const Task& task, v1::TaskResult result) {
  if (offload_ != nullptr && offload_->renders_for_cluster(task.task_id)) {
    return offload_->cluster_settled(task, std::move(result));  // its client is another node's
  }
  if (settle_flight(task, result, Source::kRendered))
    return;  // every waiter of its flight, and the cache
  replies_.route(task.request_serial, task.batch_index, task.spec.style_id, std::move(result));
}

void Dispatcher::finish(std::uint64_t serial, v1::Reply reply) {
  replies_.finish(serial, std::move(reply));
}

bool Dispatcher::settle_flight(const Task& task, const v1::TaskResult& result, Source source) {
  auto landed = r_.flights.finish(task.task_id);
  if (!landed) return false;
  if (result.has_sticker()) {
    r_.cache.put(landed->key, result.sticker());
    if (source != Source::kDisk) r_.disk.put(landed->key, result.sticker());
    if (source == Source::kRendered && redis_cache_ != nullptr) {
      redis_cache_->store(landed->key, result.sticker());  // and gives up the claim
    }
    publish_cache_metrics();
  } else if (source == Source::kRendered && redis_cache_ != nullptr) {
    redis_cache_->release(landed->key);  // the render failed: other nodes may try
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

bool Dispatcher::read_lower_tiers(const Task& task, const std::string& key) {
  const std::uint64_t task_id = task.task_id;
  const bool reading = r_.disk.read(key, [this, task_id](std::optional<v1::Sticker> sticker) {
    tier_read_done(task_id, Source::kDisk, std::move(sticker));
  }) || read_from_redis(task_id, key);
  if (reading) tier_reads_.emplace(task_id, TierWait{task, key, uv_now(p_.loop)});
  return reading;
}

bool Dispatcher::read_from_redis(std::uint64_t task_id, const std::string& key) {
  return redis_cache_ != nullptr &&
         redis_cache_->lookup(key, [this, task_id](std::optional<v1::Sticker> sticker) {
           tier_read_done(task_id, Source::kRedis, std::move(sticker));
         });
}

void Dispatcher::tier_read_done(std::uint64_t task_id, Source tier,
                                std::optional<v1::Sticker> sticker) {
  auto it = tier_reads_.find(task_id);
  if (it == tier_reads_.end()) return;  // answered already (too slow, or a drain ran out of time)
  if (tier == Source::kRedis) {
    ++(sticker ? r_.counters.redis_cache_hits : r_.counters.redis_cache_misses);
    publish_cache_metrics();
  }
  const bool next = !sticker && (tier == Source::kDisk ? read_from_redis(task_id, it->second.key)
                                                       : claim_render(task_id, it->second.key));
  if (next) {
    it->second.since_ms = uv_now(p_.loop);  // the disk missed: Redis; Redis missed: the claim
    return;
  }
  Task task = std::move(it->second.task);
  tier_reads_.erase(it);
  if (!sticker) return render_after_miss(std::move(task));
  answer_from_tier(std::move(task), std::move(*sticker), tier);
}

void Dispatcher::answer_from_tier(Task task, v1::Sticker sticker, Source tier) {
  v1::TaskResult result;
  *result.mutable_sticker() = std::move(sticker);
  if (!settle_flight(task, result, tier)) {
    replies_.route(task.request_serial, task.batch_index, task.spec.style_id, std::move(result));
  }
  answered_work_();
}

bool Dispatcher::claim_render(std::uint64_t task_id, const std::string& key) {
  return redis_cache_ != nullptr && redis_cache_->claim(key, [this, task_id](RedisCache::Claim c) {
    claimed(task_id, std::move(c));
  });
}

void Dispatcher::claimed(std::uint64_t task_id, RedisCache::Claim claim) {
  std::optional<Task> task;
  if (auto it = tier_reads_.find(task_id); it != tier_reads_.end()) {
    if (!claim.stored && !claim.mine) {  // another node renders it: wait for its entry
      TierWait wait = std::move(it->second);
      tier_reads_.erase(it);
      wait.since_ms = uv_now(p_.loop);
      cluster_flights_.emplace(task_id, ClusterFlightWait{std::move(wait), false, 0});
      return;
    }
    task = std::move(it->second.task);
    tier_reads_.erase(it);
  } else if (auto f = cluster_flights_.find(task_id); f != cluster_flights_.end()) {
    // The claim tried again while waiting for another node's render.
    f->second.asking = false;
    if (!claim.stored && !claim.mine) return;  // still theirs: the next poll asks again
    task = std::move(f->second.wait.task);
    cluster_flights_.erase(f);
  } else {
    return;  // answered already
  }
  if (!claim.stored) return render_after_miss(std::move(*task));
  ++r_.counters.redis_cache_hits;
  publish_cache_metrics();
  answer_from_tier(std::move(*task), std::move(*claim.stored), Source::kRedis);
}

void Dispatcher::poll_cluster_flights(std::uint64_t now) {
  std::vector<Task> on_our_own;
  for (auto it = cluster_flights_.begin(); it != cluster_flights_.end();) {
    ClusterFlightWait& w = it->second;
    // Its deadline passed (the queue answers it), or the claim ran out.
    if (past_deadline(w.wait.task, now) || now - w.wait.since_ms >= kClusterFlightPatienceMs) {
      on_our_own.push_back(std::move(w.wait.task));
      it = cluster_flights_.erase(it);
      continue;
    }
    if (w.asking && now - w.asked_ms >= kTierReadPatienceMs) w.asking = false;  // lost
    if (!w.asking) {
      w.asked_ms = now;
      w.asking = claim_render(it->first, w.wait.key);  // the entry, or the claim if its holder left
      if (!w.asking) {  // no link: nobody can tell us, so render here
        on_our_own.push_back(std::move(w.wait.task));
        it = cluster_flights_.erase(it);
        continue;
      }
    }
    ++it;
  }
  for (Task& task : on_our_own) render_after_miss(std::move(task));
}

void Dispatcher::render_after_miss(Task task) {
  if (p_.state == RunState::kStopping) {
    fail({task}, v1::SHUTTING_DOWN, "stickerd shut down before this request could be rendered");
  } else if (r_.book.find(task.request_serial) == nullptr) {
    rescue_dropped({std::move(task)});  // its request left: render it for a joiner, if any
  } else {
    p_.ops.task_queued(task.task_id);
    auto pushed = r_.queue.push_or_displace(task);
    if (!pushed.accepted) {
      ++r_.counters.rejected_queue_full;
      ++r_.counters.tasks_failed;
      settle(task, error_result(v1::QUEUE_FULL, "the queue is full; retry later"));
    } else if (pushed.displaced) {
      answer_displaced(*pushed.displaced);
    }
    dispatch();
  }
  answered_work_();
}

void Dispatcher::sweep_cache_reads(std::uint64_t now) {
  std::vector<Task> late;
  for (auto it = tier_reads_.begin(); it != tier_reads_.end();) {
    if (now - it->second.since_ms < kTierReadPatienceMs) {
      ++it;
      continue;
    }
    late.push_back(std::move(it->second.task));
    it = tier_reads_.erase(it);
  }
  if (!late.empty()) {
    log::warning("{} cache reads (disk or Redis) took over {} ms: rendering them instead",
                 late.size(), kTierReadPatienceMs);
  }
  for (Task& task : late) render_after_miss(std::move(task));
}

std::vector<Task> Dispatcher::take_cache_reads() {
  std::vector<Task> tasks;
  for (auto& [id, wait] : tier_reads_) tasks.push_back(std::move(wait.task));
  tier_reads_.clear();
  for (auto& [id, flight] : cluster_flights_) tasks.push_back(std::move(flight.wait.task));
  cluster_flights_.clear();
  return tasks;
}

void Dispatcher::task_result(Task task, v1::TaskResult result) {
  p_.ops.task_finished(task.task_id, result.has_sticker(),
                       result.has_sticker() ? &result.sticker() : nullptr);
  if (result.has_sticker()) {
    ++r_.counters.tasks_completed;
  } else {
    ++r_.counters.tasks_failed;
  }
  settle(task, std::move(result));
}

// The fate is decided by lost_task_fate() (master/requests/task_fate.h);
// this carries it out.
void Dispatcher::task_lost(Task task, DeathCause cause) {
  // Another node's task is wanted by its origin's client; it is retried
  // here, and its final outcome goes back to the origin through settle().
  const bool for_cluster = offload_ != nullptr && offload_->renders_for_cluster(task.task_id);
  const TaskFate fate =
      lost_task_fate(LostTask{for_cluster || task_wanted(task), task.attempts, task.crashes, cause,
                              p_.config.max_retries, p_.state == RunState::kStopping});
  task.crashes = fate.crashes;
  switch (fate.kind) {
    case TaskFate::Kind::kForget:  // nobody waits for it (a warm render, or all left)
      r_.flights.finish(task.task_id);
      return;
    case TaskFate::Kind::kRetry:
      ++r_.counters.retries;
      log::info("retrying task {} on another worker", task.task_id);
      if (for_cluster) return offload_->retry_here(std::move(task));
      p_.ops.task_queued(task.task_id);
      r_.queue.push_front(std::move(task));
      dispatch();
      return;
    case TaskFate::Kind::kPoisoned:
      ++r_.counters.tasks_failed;
      poison(task, cause);
      break;
    case TaskFate::Kind::kWorkerCrashed:
      ++r_.counters.tasks_failed;
      settle(task, error_result(v1::WORKER_CRASHED,
                                "the worker died while rendering this request, and again on the "
                                "retry"));
      break;
  }
  answered_work_();
}

void Dispatcher::poison(const Task& task, DeathCause cause) {
  ++r_.counters.poisoned;
  r_.poison.add(task.fingerprint, task.spec, cause, task.crashes, uv_now(p_.loop));
  // SIGSYS comes from the worker's seccomp filter: say so to the client.
  const std::string how =
      describe_death(cause) + (cause.term_signal == SIGSYS ? ", a sandbox violation" : "");
  log::warning("task {} killed {} workers (last by {}); its request is poisoned for {} s",
               task.task_id, task.crashes, how, p_.config.poison_ttl_s);
  settle(task,
         error_result(v1::POISONED,
                      fmt::format("this request killed {} workers (the last by {}); identical "
                                  "requests are refused for {} s",
                                  task.crashes, how, p_.config.poison_ttl_s)));
}

bool Dispatcher::task_wanted(const Task& task) {
  if (r_.book.find(task.request_serial) != nullptr) return true;
  if (const auto* waiters = r_.flights.waiters(task.task_id)) {
    for (const auto& w : *waiters) {
      if (r_.book.find(w.serial) != nullptr) return true;
    }
  }
  return false;
}

void Dispatcher::cancel(std::uint64_t serial, std::uint64_t by_id) {
  // Queued tasks go now; a running one finishes and is discarded, since
  // its request will no longer be in the book.
  auto dropped = r_.queue.remove_request(serial);
  finish(serial, error_reply(v1::CANCELLED, fmt::format("cancelled by request {}", by_id)));
  rescue_dropped(std::move(dropped));  // tasks other requests joined go back for them
}

void Dispatcher::connection_gone(std::uint64_t connection_id) {
  const auto dropped = r_.queue.remove_connection(connection_id);
  const auto forgotten = r_.book.take_connection(connection_id);
  rescue_dropped(dropped);  // tasks other connections joined go back for them
  if (!forgotten.empty()) {
    log::info("connection {} closed with {} requests pending; dropped {} queued tasks",
              connection_id, forgotten.size(), dropped.size());
  }
}

void Dispatcher::rescue_dropped(std::vector<Task> dropped) {
  for (Task& task : dropped) {
    const auto* waiters = r_.flights.waiters(task.task_id);
    if (waiters == nullptr) continue;
    const PendingRequest* heir = nullptr;
    std::uint32_t heir_index = 0;
    for (const auto& w : *waiters) {
      if ((heir = r_.book.find(w.serial)) != nullptr) {
        heir_index = w.batch_index;
        break;
      }
    }
    if (heir == nullptr) {
      r_.flights.finish(task.task_id);  // nobody waits: the render is not needed
      continue;
    }
    // The task now belongs to a request that still waits, so a later cancel
    // of that request finds it in the queue.
    task.request_serial = heir->serial;
    task.connection_id = heir->connection_id;
    task.batch_index = heir_index;
    r_.queue.push_front(std::move(task));
  }
  dispatch();
}

void Dispatcher::answer_displaced(const Task& task) {
  ++r_.counters.rejected_queue_full;
  ++r_.counters.tasks_failed;
  settle(task, error_result(v1::QUEUE_FULL,
                            "the queue is full and a higher-priority request took this one's "
                            "place; retry later"));
}

void Dispatcher::fail(const std::vector<Task>& tasks, v1::ErrorCode code,
                      const std::string& message) {
  for (const Task& task : tasks) {
    ++r_.counters.tasks_failed;
    settle(task, error_result(code, message));
  }
}

void Dispatcher::sweep_deadlines() {
  const std::uint64_t now = uv_now(p_.loop);
  sweep_cache_reads(now);
  poll_cluster_flights(now);
  std::vector<Task> expired = r_.queue.remove_expired(now);
  if (offload_ != nullptr) {
    for (Task& t : offload_->take_expired(now)) expired.push_back(std::move(t));  // in the cluster
  }
  const std::size_t queued = expired.size();
  for (Task& t : p_.supervisor.expire_running(now)) expired.push_back(std::move(t));
  for (std::size_t i = 0; i < expired.size(); ++i) {
    const Task& task = expired[i];
    ++r_.counters.deadline_exceeded;
    ++r_.counters.tasks_failed;
    settle(task,
           error_result(v1::DEADLINE_EXCEEDED,
                        fmt::format("the deadline of {} ms passed while the request was {}; "
                                    "it was not retried",
                                    task.spec.deadline_ms, i < queued ? "queued" : "rendering")));
  }
  if (!expired.empty()) answered_work_();
}

void Dispatcher::publish_cache_metrics() {
  p_.ops.metrics().cache(r_.cache.counts(), r_.counters.cache_joined);
  p_.ops.metrics().disk_cache(r_.disk.counts());
  if (redis_cache_ != nullptr) {
    p_.ops.metrics().redis_cache(r_.counters.redis_cache_hits, r_.counters.redis_cache_misses);
  }
}

}  // namespace stickerd
