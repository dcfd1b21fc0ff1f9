// Dispatcher: moves accepted tasks to workers and their outcomes back to
// the requests they serve. It owns dispatch (idle READY worker ← next task,
// then warm renders), settle (a task's outcome → every request waiting for
// it, through the single flight, then ReplyRouter and the request book), the
// fate of a task whose worker died (decided by lost_task_fate(),
// master/requests/task_fate.h) and the deadline sweep.
//
// The central promise, every accepted request gets exactly one final reply,
// is ReplyRouter's: its finish() is the one function that sends a final
// reply. Replies leave through a ReplySink, so this layer never touches a
// connection.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "master/cluster/redis_cache.h"
#include "master/config/config.h"
#include "master/ops/operations.h"
#include "master/pool/supervisor.h"
#include "master/requests/reply_router.h"
#include "master/requests/reply_sink.h"
#include "master/requests/request_state.h"
#include "master/requests/run_state.h"
#include "master/requests/task_offload.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

// What the Dispatcher works on; every part outlives it.
struct DispatchParts {
  uv_loop_t* loop;
  const Config& config;
  const RunState& state;
  RequestState& requests;
  Supervisor& supervisor;
  Operations& ops;
  ReplySink& sink;
};

class Dispatcher {
 public:
  // `answered_work` runs after lost or expired tasks were answered: the
  // drain may be over.
  Dispatcher(DispatchParts parts, std::function<void()> answered_work);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the deadline sweep (every kDeadlineSweepMs).
  void start();
  // Cluster mode: queued tasks go to `offload` while it can take them, and
  // tasks it renders for other nodes settle there (nullptr: a single node).
  void set_offload(TaskOffload* offload) { offload_ = offload; }
  // Tasks out in the cluster, taken back for the caller to answer (the
  // daemon gives up on its work); none on a single node.
  std::size_t shipped() const { return offload_ != nullptr ? offload_->shipped() : 0; }
  std::vector<Task> take_shipped() {
    return offload_ != nullptr ? offload_->take_shipped() : std::vector<Task>{};
  }
  // Cluster mode: the result cache's Redis tier, below memory and disk
  // (nullptr: a single node).
  void set_redis_cache(RedisCache* cache) { redis_cache_ = cache; }

  // While a READY worker is idle, it gets the oldest task of the highest
  // priority class (TaskQueue::pop decides the order); then warm renders.
  void dispatch();
  // Routes one task's outcome (sticker or error) to the request it serves.
  void settle(const Task& task, v1::TaskResult result);
  // Sends the final reply of a booked request and forgets it (ReplyRouter::finish).
  void finish(std::uint64_t serial, v1::Reply reply);

  // The supervisor's reports.
  void task_result(Task task, v1::TaskResult result);
  void task_lost(Task task, DeathCause cause);

  // Cancels booked request `serial` (answered CANCELLED, naming `by_id`):
  // its queued tasks go, a running one finishes and is discarded.
  void cancel(std::uint64_t serial, std::uint64_t by_id);
  // The tasks of a connection that closed (its requests are already out of
  // the book): tasks other requests joined go back for them.
  void connection_gone(std::uint64_t connection_id);
  // A queued task pushed out by a higher-priority one: answered QUEUE_FULL.
  void answer_displaced(const Task& task);
  // Answers each task with `code` and `message`, counting it failed.
  void fail(const std::vector<Task>& tasks, v1::ErrorCode code, const std::string& message);
  // Answers DEADLINE_EXCEEDED for queued and running tasks past their deadline.
  void sweep_deadlines();
  // Brings the cache metrics up to date; called after each cache operation.
  void publish_cache_metrics();

  // Looks `key` up in the tiers below memory for `task`, which leads the
  // key's flight and waits in no queue meanwhile: the disk tier, then in
  // cluster mode Redis. A hit answers the flight and refills the tiers
  // above it; a miss in both queues the task after all, and so does a read
  // that takes longer than kTierReadPatienceMs (its answer is dropped).
  // False (a miss; the caller queues it) when no tier can be asked.
  bool read_lower_tiers(const Task& task, const std::string& key);
  // Whether tasks wait for a cache read (a drain waits for them too).
  bool reading_cache() const { return !tier_reads_.empty() || !cluster_flights_.empty(); }
  // The tasks waiting for a cache read, now forgotten: a read that
  // finishes later is dropped.
  std::vector<Task> take_cache_reads();

 private:
  void dispatch_warm();
  // Cluster mode: queued tasks leave for the cluster while it takes them.
  void ship_queued();
  // Answers a task whose deadline passed while it was queued; false when
  // it has time left.
  bool answer_if_expired(const Task& task);
  // Where a flight's sticker came from: it fills the tiers above that one.
  enum class Source { kRendered, kDisk, kRedis };
  // Delivers a flight's result to every waiter and fills the cache tiers
  // above `source`; false when `task` leads no flight.
  bool settle_flight(const Task& task, const v1::TaskResult& result, Source source);
  // Starts the Redis read of a wait's key; false when there is no link.
  bool read_from_redis(std::uint64_t task_id, const std::string& key);
  // After a Redis miss: claims the render for this node; false when there
  // is no link (the task renders here).
  bool claim_render(std::uint64_t task_id, const std::string& key);
  // A claim's answer for a task reading tiers or waiting for another node:
  // the stored sticker answers it, a claim of its own renders it, and
  // another node's claim makes (or keeps) it a cluster flight.
  void claimed(std::uint64_t task_id, RedisCache::Claim claim);
  // Another node renders the key: the claim is tried again every
  // kDeadlineSweepMs, which answers the stored entry once there is one, or
  // gives the render to this node when the claimer died or failed; after
  // kClusterFlightPatienceMs, or without a link, the task renders here. An
  // answer lost with the connection is asked again after kTierReadPatienceMs.
  void poll_cluster_flights(std::uint64_t now);
  // Answers a waiting task with a sticker a cache tier found.
  void answer_from_tier(Task task, v1::Sticker sticker, Source tier);
  void tier_read_done(std::uint64_t task_id, Source tier, std::optional<v1::Sticker> sticker);
  // A task no cache tier could answer, rendered as any miss is.
  void render_after_miss(Task task);
  // Gives up on cache reads slower than kTierReadPatienceMs: they render.
  void sweep_cache_reads(std::uint64_t now);
  // Whether any booked request still waits for `task`.
  bool task_wanted(const Task& task);
  // Tasks taken out of the queue with their request: a task that other
  // requests joined goes back for them.
  void rescue_dropped(std::vector<Task> dropped);
  // Answers a lost task POISONED and remembers its fingerprint.
  void poison(const Task& task, DeathCause cause);

  DispatchParts p_;
  RequestState& r_;  // p_.requests
  ReplyRouter replies_;
  std::function<void()> answered_work_;
  TaskOffload* offload_ = nullptr;
  RedisCache* redis_cache_ = nullptr;
  UvHandle<uv_timer_t> deadline_timer_;
  struct TierWait {
    Task task;
    std::string key;
    std::uint64_t since_ms = 0;  // loop time the current tier's read started
  };
  std::unordered_map<std::uint64_t, TierWait> tier_reads_;  // by task id, while a read runs
  struct ClusterFlightWait {
    TierWait wait;
    bool asking = false;         // a claim is out
    std::uint64_t asked_ms = 0;  // loop time it went out
  };
  // By task id: tasks whose key another node renders.
  std::unordered_map<std::uint64_t, ClusterFlightWait> cluster_flights_;
};

}  // namespace stickerd
