// WorkSharing: shipping tasks to the cluster's streams, taking entries for
// idle workers, and the replies (see work_sharing.h).
#include "master/service/work_sharing.h"

#include <unistd.h>

#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "common/log.h"
#include "master/cluster/claim_read.h"
#include "master/cluster/lease.h"
#include "master/cluster/read_budget.h"
#include "master/cluster/stream_names.h"
#include "master/cluster/task_entry.h"
#include "master/requests/deadlines.h"
#include "master/requests/error_reply.h"
#include "master/requests/poison_list.h"
#include "master/uv/repeating_timer.h"

namespace stickerd {
namespace {

// Without the blocking reads (their connection is down), how often a node
// looks for work other nodes added, besides the reads its own events
// start. Renders take tens of ms or more.
constexpr std::uint64_t kPollMs = 10;
// With them, a poll now and then all the same: a safety net that costs
// little, should a wake-up ever be missed.
constexpr std::uint64_t kSafetyPollMs = 250;
// Without the blocking reads, while this node has tasks out in the cluster
// it reads its reply stream this often, so a result another node rendered
// reaches its client within about a millisecond; the timer stops while
// nothing is out.
constexpr std::uint64_t kReplyPollMs = 1;
// How long shipping pauses after Redis refuses an XADD (out of memory, a
// wrong type): the tasks run here meanwhile.
constexpr std::uint64_t kShipPauseMs = 1'000;
// The most replies read at once; the rest wait for the next read.
constexpr unsigned kReplyBatch = 256;
// The most shipped entries check_lost asks about in one scan (two commands
// each): a long backlog is looked at oldest first, a slice per second.
constexpr unsigned kLostChecksPerScan = 64;
// Task ids of entries taken for other nodes: apart from the ids Intake
// gives this node's own tasks, which count up from 1.
constexpr std::uint64_t kRemoteTaskIds = std::uint64_t{1} << 62;

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string draw_incarnation() {
  std::random_device random;
  const std::uint64_t high = random();
  const std::uint64_t low = random();
  return fmt::format("{:016x}", (high << 32) ^ low ^ static_cast<std::uint64_t>(::getpid()));
}

bool is_error(const redisReply& reply) { return reply.type == REDIS_REPLY_ERROR; }

std::string_view words(const redisReply& reply) {
  return reply.str != nullptr ? std::string_view(reply.str, reply.len) : std::string_view();
}

}  // namespace

WorkSharing::WorkSharing(WorkSharingParts parts)
    : p_(std::move(parts)), incarnation_(draw_incarnation()), next_remote_task_id_(kRemoteTaskIds) {
  task_cursors_.fill("0-0");
}

WorkSharing::~WorkSharing() { p_.dispatcher.set_offload(nullptr); }

void WorkSharing::start() {
  p_.dispatcher.set_offload(this);
  log::info("cluster: sharing work as node {}", p_.node);
  start_repeating<WorkSharing, &WorkSharing::poll>(poll_timer_, p_.loop, this, kPollMs);
  start_repeating<WorkSharing, &WorkSharing::poll_replies>(reply_timer_, p_.loop, this,
                                                           kReplyPollMs);
  uv_timer_stop(reply_timer_.get());  // until a task goes out (ship)
  start_repeating<WorkSharing, &WorkSharing::renew>(renew_timer_, p_.loop, this, lease::kRenewMs);
  start_repeating<WorkSharing, &WorkSharing::reclaim_scan>(reclaim_timer_, p_.loop, this,
                                                           lease::kReclaimScanMs);
  waiter_.emplace(
      p_.loop, p_.url, [this] { return wait_cursors(); },
      [this](const redisReply& reply) { woke(reply); },
      [this](RedisState state) { waiter_changed(state); });
  waiter_->start();
}

void WorkSharing::close() {
  if (waiter_) waiter_->close();
}

bool WorkSharing::sharing() const {
  return p_.link.state() == RedisState::kConnected && groups_ready_;
}

void WorkSharing::link_changed(RedisState state) {
  ++generation_;  // answers to commands sent before this are ignored
  groups_ready_ = false;
  reading_tasks_ = false;
  read_again_ = false;
  reading_replies_ = false;
  reclaiming_ = false;
  reading_dead_ = false;
  if (state == RedisState::kConnected) return create_groups();
  take_back_all();
}

// XGROUP CREATE ... $ MKSTREAM on every task stream; BUSYGROUP (it exists)
// is fine. Sharing starts once the last one answered.
void WorkSharing::create_groups() {
  const std::uint64_t generation = generation_;
  auto left = std::make_shared<std::size_t>(streams::kTaskStreams.size());
  for (std::string_view stream : streams::kTaskStreams) {
    const bool sent = p_.link.send(
        {"XGROUP", "CREATE", std::string(stream), std::string(streams::kGroup), "$", "MKSTREAM"},
        [this, generation, left, stream](const redisReply& reply) {
          if (generation != generation_) return;
          if (is_error(reply) && !words(reply).starts_with("BUSYGROUP")) {
            log::warning("cluster: cannot create the consumer group on {}: {}", stream,
                         words(reply));
            return;  // not sharing until the next connection
          }
          if (--*left == 0) {
            groups_ready_ = true;
            last_reply_id_ = "0-0";
            log::info("cluster: node {} shares work through {}", p_.node, streams::kGroup);
            p_.dispatcher.dispatch();  // what queued meanwhile goes out now
            poll();
          }
        });
    if (!sent) return;
  }
}

bool WorkSharing::can_ship() const {
  return sharing() && p_.state == RunState::kRunning && uv_now(p_.loop) >= paused_until_ms_ &&
         shipped_.size() < p_.requests.queue.capacity();
}

void WorkSharing::ship(Task task) {
  const std::uint64_t now = uv_now(p_.loop);
  const TaskEntry entry{p_.node, incarnation_, task.task_id,
                        to_wall_deadline(task.deadline_at_ms, now, wall_ms()), task.spec};
  std::vector<std::string> command = {"XADD", std::string(streams::task_stream(task.spec.priority)),
                                      "*"};
  for (std::string& f : entry_fields(entry)) command.push_back(std::move(f));
  const std::uint64_t task_id = task.task_id;
  const std::size_t stream_index = streams::stream_index(task.spec.priority);
  const std::uint64_t generation = generation_;
  shipped_.emplace(task_id, std::move(task));
  if (!waiter_->up() && uv_is_active(reply_timer_.base()) == 0) uv_timer_again(reply_timer_.get());
  const bool sent =
      p_.link.send(command, [this, generation, task_id, stream_index](const redisReply& reply) {
        if (generation != generation_) return;
        if (is_error(reply)) {
          pause_shipping(fmt::format("XADD refused: {}", words(reply)));
          auto it = shipped_.find(task_id);
          if (it == shipped_.end()) return;
          Task back = std::move(it->second);
          shipped_.erase(it);
          p_.requests.queue.push_front(std::move(back));
          return p_.dispatcher.dispatch();
        }
        if (reply.type == REDIS_REPLY_STRING && shipped_.contains(task_id)) {
          shipped_entries_.insert_or_assign(
              task_id, ShippedEntry{stream_index, std::string(words(reply)), uv_now(p_.loop)});
        }
        poll_after_event();  // this node's own idle workers may take it at once
      });
  if (!sent) {
    // The link went between can_ship() and now: back to the queue, to be
    // dispatched locally by the caller's loop.
    Task back = std::move(shipped_.at(task_id));
    shipped_.erase(task_id);
    p_.requests.queue.push_front(std::move(back));
    pause_shipping("the link is not up");
  }
}

void WorkSharing::pause_shipping(const std::string& why) {
  log::warning("cluster: {}; running tasks here for {} ms", why, kShipPauseMs);
  paused_until_ms_ = uv_now(p_.loop) + kShipPauseMs;
}

bool WorkSharing::renders_for_cluster(std::uint64_t task_id) const {
  return remote_.contains(task_id);
}

std::vector<Task> WorkSharing::take_expired(std::uint64_t now_ms) {
  std::vector<Task> expired;
  for (auto it = shipped_.begin(); it != shipped_.end();) {
    if (past_deadline(it->second, now_ms)) {
      expired.push_back(std::move(it->second));
      it = shipped_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

std::vector<Task> WorkSharing::take_shipped() {
  std::vector<Task> all;
  for (auto& [id, task] : shipped_) all.push_back(std::move(task));
  shipped_.clear();
  return all;
}

void WorkSharing::take_back_all() {
  shipped_entries_.clear();  // shipped again later, as new entries
  for (const Task& t : waiting_) remote_.erase(t.task_id);
  waiting_.clear();
  // Its own entries this node is rendering now settle here when done.
  std::set<std::uint64_t> rendering_here;
  for (const auto& [task_id, remote] : remote_) {
    if (remote.own) rendering_here.insert(remote.origin_id);
  }
  std::vector<Task> back;
  for (auto it = shipped_.begin(); it != shipped_.end();) {
    if (rendering_here.contains(it->first)) {
      ++it;
      continue;
    }
    back.push_back(std::move(it->second));
    it = shipped_.erase(it);
  }
  if (back.empty()) return;
  log::warning("cluster: running the {} tasks out in the cluster on this node's workers",
               back.size());
  // Oldest first at the head of their classes: push the newest first.
  for (auto it = back.rbegin(); it != back.rend(); ++it) {
    p_.requests.queue.push_front(std::move(*it));
  }
  p_.dispatcher.dispatch();
}

// ---- reading -------------------------------------------------------------------

void WorkSharing::worker_idle() {
  start_waiting();
  poll_after_event();
}

void WorkSharing::poll_after_event() {
  if (reading_tasks_) read_again_ = true;
  poll();
}

void WorkSharing::poll_replies() {
  if (shipped_.empty() || waiter_->up()) {
    uv_timer_stop(reply_timer_.get());
    return;
  }
  if (sharing() && !reading_replies_) read_replies();
}

void WorkSharing::poll() {
  if (!sharing()) return;
  if (!reading_tasks_ && p_.state == RunState::kRunning) {
    const unsigned want =
        read_budget(p_.supervisor.counts().idle, waiting_.size() + p_.requests.queue.size());
    if (want > 0) read_tasks(0, want);
  }
  if (!reading_replies_ && !shipped_.empty() && !waiter_->up()) read_replies();
}

void WorkSharing::waiter_changed(RedisState state) {
  const bool up = state == RedisState::kConnected;
  uv_timer_set_repeat(poll_timer_.get(), up ? kSafetyPollMs : kPollMs);
  uv_timer_again(poll_timer_.get());
  if (!up && !shipped_.empty()) uv_timer_again(reply_timer_.get());
  poll();  // what came while no read was waiting
}

std::vector<std::pair<std::string, std::string>> WorkSharing::wait_cursors() const {
  std::vector<std::pair<std::string, std::string>> cursors;
  for (std::size_t i = 0; i < streams::kTaskStreams.size(); ++i) {
    cursors.emplace_back(streams::kTaskStreams[i], task_cursors_[i]);
  }
  cursors.emplace_back(streams::reply_stream(p_.node), last_reply_id_);
  return cursors;
}

void WorkSharing::woke(const redisReply& reply) {
  auto entries = stream_entries(reply);  // nil, when the block ran out: none
  if (!entries) {
    log::warning("cluster: an answer to a blocking XREAD of an unexpected shape");
    return;
  }
  const std::string replies = streams::reply_stream(p_.node);
  std::vector<StreamEntry> answers;
  bool tasks = false;
  for (StreamEntry& e : *entries) {
    if (e.stream == replies) {
      answers.push_back(std::move(e));
      continue;
    }
    for (std::size_t i = 0; i < streams::kTaskStreams.size(); ++i) {
      if (e.stream == streams::kTaskStreams[i]) task_cursors_[i] = e.id;
    }
    // This node's own entries started a read when their XADD was answered.
    tasks = tasks || !added_by(e.fields, p_.node, incarnation_);
  }
  if (!answers.empty()) settle_replies(answers);
  if (tasks) poll_after_event();
}

// One stream at a time, highest class first, so COUNT is exact: an entry
// taken is one this node starts at once, and the rest stay for others.
void WorkSharing::read_tasks(std::size_t stream_index, unsigned want) {
  const std::uint64_t generation = generation_;
  reading_tasks_ = p_.link.send(
      {"XREADGROUP", "GROUP", std::string(streams::kGroup), p_.node, "COUNT", std::to_string(want),
       "STREAMS", std::string(streams::kTaskStreams[stream_index]), ">"},
      [this, generation, stream_index, want](const redisReply& reply) {
        if (generation != generation_) return;
        took_tasks(stream_index, want, reply);
      });
}

void WorkSharing::took_tasks(std::size_t stream_index, unsigned want, const redisReply& reply) {
  reading_tasks_ = false;
  if (is_error(reply)) {
    // NOGROUP: Redis lost the group (a restart without the link noticing).
    log::warning("cluster: cannot read {}: {}", streams::kTaskStreams[stream_index], words(reply));
    if (words(reply).starts_with("NOGROUP")) {
      groups_ready_ = false;
      create_groups();
    }
    return;
  }
  auto entries = stream_entries(reply);
  if (!entries) {
    log::warning("cluster: an answer to XREADGROUP of an unexpected shape");
    return;
  }
  for (const StreamEntry& e : *entries) take(e);
  start_waiting();
  const auto got = static_cast<unsigned>(entries->size());
  if (got < want && stream_index + 1 < streams::kTaskStreams.size() &&
      p_.state == RunState::kRunning) {
    read_tasks(stream_index + 1, want - got);
  }
  if (!reading_tasks_ && std::exchange(read_again_, false)) poll();
}

void WorkSharing::take(const StreamEntry& e) {
  auto entry = parse_task_entry(e.fields);
  if (!entry) {
    log::warning("cluster: dropping entry {} of {}: not a task this node can read", e.id, e.stream);
    return acknowledge(e.stream, e.id);
  }
  const bool own = entry->origin == p_.node && entry->incarnation == incarnation_;
  Remote remote{e.stream, e.id, entry->origin, entry->incarnation, entry->id, own};
  const std::uint64_t wall = wall_ms();
  if (entry_expired(entry->deadline_wall_ms, wall)) {
    return answer_remote(
        remote, error_result(v1::DEADLINE_EXCEEDED,
                             fmt::format("the deadline of {} ms passed while the request waited "
                                         "in the cluster; it was not rendered",
                                         entry->spec.deadline_ms)));
  }
  Task task;
  task.task_id = next_remote_task_id_++;
  task.spec = std::move(entry->spec);
  task.fingerprint = request_fingerprint(task.spec, p_.catalogue.config_id(task.spec.style_id));
  const std::uint64_t now = uv_now(p_.loop);
  set_deadlines(task, now, p_.config.deadline_ms);
  if (entry->deadline_wall_ms != 0) {
    task.deadline_at_ms = to_loop_deadline(entry->deadline_wall_ms, wall, now);
    task.hang_at_ms = hang_at(task.deadline_at_ms, now + p_.config.deadline_ms);
  }
  remote_.emplace(task.task_id, std::move(remote));
  waiting_.push_back(std::move(task));
}

void WorkSharing::retry_here(Task task) {
  waiting_.push_front(std::move(task));
  start_waiting();
}

void WorkSharing::start_waiting() {
  while (!waiting_.empty() && p_.supervisor.has_idle_worker() && p_.state != RunState::kStopping) {
    Task task = std::move(waiting_.front());
    waiting_.pop_front();
    p_.supervisor.assign(std::move(task));
  }
}

void WorkSharing::read_replies() {
  const std::uint64_t generation = generation_;
  reading_replies_ = p_.link.send({"XREAD", "COUNT", std::to_string(kReplyBatch), "STREAMS",
                                   streams::reply_stream(p_.node), last_reply_id_},
                                  [this, generation](const redisReply& reply) {
                                    if (generation != generation_) return;
                                    took_replies(reply);
                                  });
}

void WorkSharing::took_replies(const redisReply& reply) {
  reading_replies_ = false;
  auto entries = stream_entries(reply);
  if (!entries) {
    log::warning("cluster: cannot read {}: {}", streams::reply_stream(p_.node), words(reply));
    return;
  }
  settle_replies(*entries);
  if (entries->size() == kReplyBatch) read_replies();  // more may wait
}

void WorkSharing::settle_replies(const std::vector<StreamEntry>& entries) {
  if (entries.empty()) return;
  std::vector<std::string> done = {"XDEL", streams::reply_stream(p_.node)};
  bool answered = false;
  for (const StreamEntry& e : entries) {
    // Both reads may answer the same entries while the waiter comes up.
    if (stream_id_less(last_reply_id_, e.id)) last_reply_id_ = e.id;
    done.push_back(e.id);
    auto entry = parse_reply_entry(e.fields);
    if (!entry || entry->incarnation != incarnation_) continue;  // not for this run
    auto it = shipped_.find(entry->id);
    if (it == shipped_.end()) continue;  // answered already (deadline, or run here)
    Task task = std::move(it->second);
    shipped_.erase(it);
    p_.dispatcher.settle(task, std::move(entry->result));
    answered = true;
  }
  p_.link.send(done);
  if (answered) p_.answered_work();
}

// ---- answering -----------------------------------------------------------------

void WorkSharing::cluster_settled(const Task& task, v1::TaskResult result) {
  auto it = remote_.find(task.task_id);
  if (it == remote_.end()) return;
  const Remote remote = std::move(it->second);
  remote_.erase(it);
  if (result.has_error() && result.error().code() == v1::POISONED) {
    // It killed --max-retries + 1 workers here: a dead letter, so that
    // every node refuses it from now on (the shared poison list).
    dead_letter(TaskEntry{remote.origin, remote.incarnation, remote.origin_id, 0, task.spec},
                remote.stream, remote.entry_id, result.error().message());
  }
  if (!remote.own) return answer_remote(remote, result);
  acknowledge(remote.stream, remote.entry_id);
  auto mine = shipped_.find(remote.origin_id);
  if (mine == shipped_.end()) return;  // answered already (its deadline passed)
  Task origin_task = std::move(mine->second);
  shipped_.erase(mine);
  p_.dispatcher.settle(origin_task, std::move(result));
  p_.answered_work();
}

void WorkSharing::answer_remote(const Remote& remote, const v1::TaskResult& result) {
  std::vector<std::string> command = {"XADD", streams::reply_stream(remote.origin), "*"};
  for (std::string& f : entry_fields(ReplyEntry{remote.incarnation, remote.origin_id, result})) {
    command.push_back(std::move(f));
  }
  // Acknowledged only once the reply is in Redis: an entry whose reply was
  // lost stays pending, and another node reclaims it once its lease runs
  // out; it is never acked without an answer.
  const bool sent = p_.link.send(
      command, [this, stream = remote.stream, id = remote.entry_id](const redisReply& reply) {
        if (is_error(reply)) {
          log::warning("cluster: cannot send a reply: {}", words(reply));
          return;
        }
        acknowledge(stream, id);
      });
  if (!sent) {
    log::info(
        "cluster: the link is down; the result of {}'s task {} is dropped (its origin runs "
        "it itself)",
        remote.origin, remote.origin_id);
  }
}

void WorkSharing::acknowledge(const std::string& stream, const std::string& entry_id) {
  p_.link.send({"XACK", stream, std::string(streams::kGroup), entry_id});
  p_.link.send({"XDEL", stream, entry_id});
}

// ---- leases, reclaiming and dead letters (lease.h) ------------------------------

// Every entry held here, waiting for a worker or rendering, gets its idle
// time reset; JUSTID, so that no delivery is counted.
void WorkSharing::renew() {
  if (!sharing() || remote_.empty()) return;
  std::map<std::string, std::vector<std::string>> held;
  for (const auto& [task_id, remote] : remote_) held[remote.stream].push_back(remote.entry_id);
  for (const auto& [stream, ids] : held) {
    std::vector<std::string> command = {"XCLAIM", stream, std::string(streams::kGroup), p_.node,
                                        "0"};
    command.insert(command.end(), ids.begin(), ids.end());
    command.push_back("JUSTID");
    p_.link.send(command);
  }
}

void WorkSharing::reclaim_scan() {
  if (!sharing()) return;
  read_dead_letters();
  check_lost();
  if (reclaiming_ || p_.state != RunState::kRunning) return;
  const unsigned want =
      read_budget(p_.supervisor.counts().idle, waiting_.size() + p_.requests.queue.size());
  if (want > 0) reclaim(0, want);
}

void WorkSharing::check_lost() {
  const std::uint64_t now = uv_now(p_.loop);
  std::vector<Task> lost;
  unsigned asked = 0;
  for (auto it = shipped_entries_.begin(); it != shipped_entries_.end();) {
    auto task = shipped_.find(it->first);
    if (task == shipped_.end()) {  // answered meanwhile
      it = shipped_entries_.erase(it);
      continue;
    }
    ShippedEntry& e = it->second;
    if (e.gone) {
      // Gone a scan ago and still no result: no node holds it any more.
      log::warning(
          "cluster: entry {} of {} (task {}) was deleted or trimmed before any node "
          "rendered it; answered QUEUE_FULL",
          e.id, streams::kTaskStreams[e.stream_index], it->first);
      lost.push_back(std::move(task->second));
      shipped_.erase(task);
      it = shipped_entries_.erase(it);
      continue;
    }
    if (!e.checking && now - e.since_ms >= lease::kLeaseMs && asked < kLostChecksPerScan) {
      ++asked;
      check_entry(it->first, e.stream_index, e.id);
    }
    ++it;
  }
  for (const Task& task : lost) {
    ++p_.requests.counters.tasks_failed;
    p_.dispatcher.settle(
        task, error_result(v1::QUEUE_FULL,
                           "the request's entry was deleted or trimmed from the cluster's task "
                           "stream before any node rendered it; retry"));
  }
  if (!lost.empty()) p_.answered_work();
}

// XRANGE id id: still in the stream? XPENDING id id: taken by a node, which
// answers it (or, if it dies, XAUTOCLAIM drops the gone entry from the
// pending list, and a later check finds it in neither). Sent in order on one
// connection, so the second answer comes last.
void WorkSharing::check_entry(std::uint64_t task_id, std::size_t stream_index,
                              const std::string& entry_id) {
  const std::string stream(streams::kTaskStreams[stream_index]);
  const std::uint64_t generation = generation_;
  auto in_stream = std::make_shared<bool>(true);
  const auto none = [](const redisReply& reply) {
    return reply.type == REDIS_REPLY_ARRAY && reply.elements == 0;
  };
  const bool sent =
      p_.link.send({"XRANGE", stream, entry_id, entry_id},
                   [in_stream, none](const redisReply& reply) { *in_stream = !none(reply); }) &&
      p_.link.send({"XPENDING", stream, std::string(streams::kGroup), entry_id, entry_id, "1"},
                   [this, generation, task_id, in_stream, none](const redisReply& reply) {
                     if (generation != generation_) return;
                     auto it = shipped_entries_.find(task_id);
                     if (it == shipped_entries_.end()) return;
                     it->second.checking = false;
                     it->second.gone = !*in_stream && none(reply);
                   });
  if (auto it = shipped_entries_.find(task_id); it != shipped_entries_.end()) {
    it->second.checking = sent;
  }
}

// Entries idle past the lease on any consumer, as many as this node's idle
// workers start at once, one stream after the other in priority order.
void WorkSharing::reclaim(std::size_t stream_index, unsigned want) {
  const std::uint64_t generation = generation_;
  reclaiming_ = p_.link.send(
      {"XAUTOCLAIM", std::string(streams::kTaskStreams[stream_index]), std::string(streams::kGroup),
       p_.node, std::to_string(lease::kLeaseMs), "0-0", "COUNT", std::to_string(want)},
      [this, generation, stream_index, want](const redisReply& reply) {
        if (generation != generation_) return;
        reclaimed(stream_index, want, reply);
      });
}

void WorkSharing::reclaimed(std::size_t stream_index, unsigned want, const redisReply& reply) {
  const std::string stream(streams::kTaskStreams[stream_index]);
  auto claim = autoclaim_answer(stream, reply);
  if (!claim) {
    reclaiming_ = false;
    log::warning("cluster: cannot reclaim entries of {}: {}", stream,
                 is_error(reply) ? words(reply) : "an answer of an unexpected shape");
    return;
  }
  for (const std::string& id : claim->deleted) {
    log::warning(
        "cluster: entry {} of {} was deleted or trimmed while pending; its origin finds it gone "
        "and answers it",
        id, stream);
  }
  if (claim->entries.empty()) return reclaimed_with_deliveries(stream_index, want, {}, reply);
  // The delivery counts of what was just claimed (XAUTOCLAIM does not say).
  const std::uint64_t generation = generation_;
  const std::string first = claim->entries.front().id;
  const std::string last = claim->entries.back().id;
  const std::size_t room = claim->entries.size() + remote_.size() + 1;
  const bool sent = p_.link.send({"XPENDING", stream, std::string(streams::kGroup), first, last,
                                  std::to_string(room), p_.node},
                                 [this, generation, stream_index, want,
                                  entries = std::move(claim->entries)](const redisReply& pending) {
                                   if (generation != generation_) return;
                                   reclaimed_with_deliveries(stream_index, want, entries, pending);
                                 });
  if (!sent) reclaiming_ = false;
}

void WorkSharing::reclaimed_with_deliveries(std::size_t stream_index, unsigned want,
                                            const std::vector<StreamEntry>& entries,
                                            const redisReply& pending) {
  reclaiming_ = false;
  std::map<std::string, std::uint64_t> deliveries;
  if (!entries.empty()) {
    if (auto rows = pending_entries(pending)) {
      for (const PendingEntry& row : *rows) deliveries[row.id] = row.deliveries;
    }
  }
  for (const StreamEntry& e : entries) {
    ++p_.requests.counters.cluster_reclaimed;
    p_.metrics.cluster_reclaimed();
    const auto count = deliveries.find(e.id);
    const std::uint64_t delivered = count == deliveries.end() ? 0 : count->second;
    log::info("cluster: reclaimed entry {} of {} from a silent node (delivery {})", e.id, e.stream,
              delivered);
    auto entry = parse_task_entry(e.fields);
    if (!entry || !lease::past_retries(delivered, p_.config.max_retries)) {
      take(e);  // an unreadable entry is acknowledged and dropped there
      continue;
    }
    const std::string why = fmt::format(
        "delivered {} times: the nodes that took it stopped answering while they held it",
        delivered);
    dead_letter(*entry, e.stream, e.id, why);
    answer_remote(Remote{e.stream, e.id, entry->origin, entry->incarnation, entry->id, false},
                  error_result(v1::POISONED, "the request was " + why + "; it is not run again"));
  }
  start_waiting();
  const auto got = static_cast<unsigned>(entries.size());
  if (got < want && stream_index + 1 < streams::kTaskStreams.size() &&
      p_.state == RunState::kRunning) {
    reclaim(stream_index + 1, want - got);
  }
}

void WorkSharing::dead_letter(const TaskEntry& entry, const std::string& stream,
                              const std::string& entry_id, const std::string& error) {
  // Capped (approximately, which is cheap for Redis) so that the stream
  // cannot grow without bound; operators read it with XRANGE.
  std::vector<std::string> command = {
      "XADD", std::string(streams::kDeadLetters), "MAXLEN", "~", "10000", "*"};
  for (std::string& f : entry_fields(entry)) command.push_back(std::move(f));
  for (std::string f : {std::string("stream"), stream, std::string("entry"), entry_id,
                        std::string("node"), p_.node, std::string("error"), error}) {
    command.push_back(std::move(f));
  }
  p_.link.send(command);
  ++p_.requests.counters.cluster_dead_lettered;
  p_.metrics.cluster_dead_lettered();
  log::warning("cluster: entry {} of {} ({}'s task {}) goes to {}: {}", entry_id, stream,
               entry.origin, entry.id, streams::kDeadLetters, error);
}

// The dead letters of the last poison TTL at first, then each new one: its
// fingerprint goes on this node's poison list, so that every node refuses
// it at admission. Asynchronous: a node may admit an identical request in
// the second before it reads the letter; that request is then refused or
// answered POISONED where it runs.
void WorkSharing::read_dead_letters() {
  if (reading_dead_) return;
  if (last_dead_id_.empty()) {
    const std::uint64_t wall = wall_ms();
    const std::uint64_t ttl_ms = p_.config.poison_ttl_s * 1'000;
    last_dead_id_ = fmt::format("{}-0", wall > ttl_ms ? wall - ttl_ms : 0);
  }
  const std::uint64_t generation = generation_;
  reading_dead_ = p_.link.send({"XREAD", "COUNT", std::to_string(kReplyBatch), "STREAMS",
                                std::string(streams::kDeadLetters), last_dead_id_},
                               [this, generation](const redisReply& reply) {
                                 if (generation != generation_) return;
                                 took_dead_letters(reply);
                               });
}

void WorkSharing::took_dead_letters(const redisReply& reply) {
  reading_dead_ = false;
  auto entries = stream_entries(reply);
  if (!entries) return;
  const std::uint64_t now = uv_now(p_.loop);
  for (const StreamEntry& e : *entries) {
    last_dead_id_ = e.id;
    auto entry = parse_task_entry(e.fields);
    if (!entry) continue;
    const std::uint64_t fp =
        request_fingerprint(entry->spec, p_.catalogue.config_id(entry->spec.style_id));
    p_.requests.poison.add(fp, entry->spec, DeathCause{}, p_.config.max_retries + 1, now);
  }
}

}  // namespace stickerd
