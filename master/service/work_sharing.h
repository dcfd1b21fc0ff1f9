// WorkSharing: cluster mode's work sharing through Redis Streams
// (docs/CLUSTER.md). With --redis, a node still admits its own clients'
// requests exactly as a single node does; what the Dispatcher would queue
// for its own workers goes instead to the cluster's task stream of its
// priority class (XADD), and every node, this one included, takes entries
// from those streams for its idle workers (XREADGROUP in one consumer
// group, one consumer per node). The node that rendered a task XADDs the
// result to the origin's reply stream and then acknowledges (XACK) and
// deletes the task entry; the origin reads its reply stream and settles the
// task through the Dispatcher, so its client gets its one final reply from
// the node that holds its connection.
//
// How reads are triggered. Redis serves a connection's commands in order,
// so reads on the link never block: a non-blocking XREADGROUP for exactly
// the idle workers' count (read_budget.h), one stream after the other in
// priority order, whenever a worker becomes idle and right after this node
// XADDs. What other nodes add is seen through a second connection
// (StreamWaiter) that waits in XREAD BLOCK on the task streams and on this
// node's reply stream: an entry newer than the last one it saw wakes the
// node, which then takes tasks with its XREADGROUP and reads its replies
// from that answer itself (then XDELs them). While that connection is down
// the node polls instead: the task streams every kPollMs and, while it has
// work out, its reply stream every kReplyPollMs. One read of each kind is
// outstanding at a time.
//
// Exactly one final reply:
//  * A shipped task is kept here until its result comes back, its deadline
//    passes here (take_expired), or the link is lost; whichever comes first
//    takes it out, so a later result for it finds nothing and is dropped.
//    Replies carry the origin's incarnation, so a reply meant for an
//    earlier run of a node with the same name is dropped too.
//  * Link lost (degraded): every shipped task goes back to the front of the
//    local queue and runs on this node's workers; nothing new is shipped
//    until the link is back and the consumer group is there again.
//    Entries taken for other nodes and still waiting for a worker here are
//    let go (their origins run them locally for the same reason); one
//    already rendering finishes, and its result is sent if the link is
//    back by then, else dropped.
//  * A node that takes its own entry settles it directly when it is done
//    (and acknowledges the entry): no reply trip, and when the link goes
//    while it renders, that task is not taken back and run twice here.
//  * A worker that dies holding another node's task: the task is retried
//    or poisoned here as a local one would be (lost_task_fate), and its
//    final outcome goes back to the origin.
//  * An entry whose absolute deadline has passed is answered
//    DEADLINE_EXCEEDED to its origin and never rendered.
//  * A node that dies (or goes silent) holding entries: every node renews
//    the lease of the entries it holds (XCLAIM ... JUSTID every
//    lease::kRenewMs), and a node with idle workers takes over entries idle
//    for lease::kLeaseMs (XAUTOCLAIM), so a dead node's entries are run
//    elsewhere and a slow render on a live node is never run twice
//    (master/cluster/lease.h).
//  * Dead letters: a reclaimed entry delivered more than --max-retries + 1
//    times, or a task that killed --max-retries + 1 workers here, goes to
//    stickerd:dead with its last error and is answered POISONED to its
//    origin. Every node reads stickerd:dead into its own poison list (the
//    shared poison list).
//  * An entry deleted or trimmed from its stream (an operator's XTRIM or
//    XDEL) has lost its fields, so a node that claims it cannot know its
//    origin. The origin therefore keeps the id of each entry it shipped and,
//    for entries out longer than a lease, asks Redis whether each is still in
//    its stream or pending on a node (check_lost). One gone from both, whose
//    result still has not come a scan later (a finished entry is deleted
//    only after its reply is in Redis), is answered QUEUE_FULL: it was
//    dropped from the cluster's queue, and the client may retry. One
//    trimmed while a node renders it leaves the pending list at that
//    node's next renewal (Redis 7.0's XCLAIM drops entries gone from the
//    stream), so it is answered the same way and the late result dropped.
#pragma once

#include <uv.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/style_catalogue.h"
#include "master/cluster/redis_link.h"
#include "master/cluster/stream_names.h"
#include "master/cluster/stream_read.h"
#include "master/cluster/stream_waiter.h"
#include "master/cluster/task_entry.h"
#include "master/config/config.h"
#include "master/ops/metrics.h"
#include "master/ops/operations.h"
#include "master/pool/supervisor.h"
#include "master/requests/dispatcher.h"
#include "master/requests/request_state.h"
#include "master/requests/run_state.h"
#include "master/requests/task_offload.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

// What WorkSharing works on; every part outlives it.
struct WorkSharingParts {
  uv_loop_t* loop;
  const Config& config;
  const StyleCatalogue& catalogue;  // for a taken task's fingerprint (the poison list)
  const RunState& state;
  RequestState& requests;
  Supervisor& supervisor;
  Dispatcher& dispatcher;
  RedisLink& link;
  Metrics& metrics;
  RedisUrl url;                         // for the blocking reads' own connection
  std::string node;                     // this node's name (--node-name)
  std::function<void()> answered_work;  // tasks were answered: the drain may be over
};

class WorkSharing final : public TaskOffload {
 public:
  explicit WorkSharing(WorkSharingParts parts);
  WorkSharing(const WorkSharing&) = delete;
  WorkSharing& operator=(const WorkSharing&) = delete;
  ~WorkSharing();

  // Starts the poll timers and the blocking reads; the link's state
  // changes come through link_changed().
  void start();
  // Closes the blocking reads' connection (the daemon stops).
  void close();
  void link_changed(RedisState state);
  // A worker became idle: cluster entries waiting here first, then a read.
  void worker_idle();

  // TaskOffload.
  bool can_ship() const override;
  void ship(Task task) override;
  bool renders_for_cluster(std::uint64_t task_id) const override;
  void cluster_settled(const Task& task, v1::TaskResult result) override;
  void retry_here(Task task) override;
  std::vector<Task> take_expired(std::uint64_t now_ms) override;
  std::size_t shipped() const override { return shipped_.size(); }
  std::vector<Task> take_shipped() override;

 private:
  // A task this node renders for another node.
  struct Remote {
    std::string stream;  // the task stream and the entry's id there
    std::string entry_id;
    std::string origin;
    std::string incarnation;
    std::uint64_t origin_id = 0;
    bool own = false;  // this run of this node is its origin: settled here, no reply trip
  };

  bool sharing() const;
  void create_groups();
  void poll();
  // poll() for an event (an XADD landed, a worker became idle). A read
  // already out may have been answered before the event counted, so
  // another read follows it at once instead of at the next tick.
  void poll_after_event();
  // The reply stream, every kReplyPollMs while tasks are out and the
  // blocking reads are down.
  void poll_replies();
  // The blocking reads' connection came or went: polling slows or speeds up.
  void waiter_changed(RedisState state);
  // The streams the blocking read waits on, with the last id seen of each.
  std::vector<std::pair<std::string, std::string>> wait_cursors() const;
  // New entries on the task streams (a poll follows) or replies.
  void woke(const redisReply& reply);
  void read_tasks(std::size_t stream_index, unsigned want);
  void took_tasks(std::size_t stream_index, unsigned want, const redisReply& reply);
  void take(const StreamEntry& entry);
  void start_waiting();
  void read_replies();
  void took_replies(const redisReply& reply);
  // Settles the shipped tasks `entries` (reply entries) answer, and XDELs them.
  void settle_replies(const std::vector<StreamEntry>& entries);
  // Sends `result` to the origin of remote task `remote`, then acknowledges
  // and deletes its entry.
  void answer_remote(const Remote& remote, const v1::TaskResult& result);
  void acknowledge(const std::string& stream, const std::string& entry_id);
  // Leases (lease.h): renewing the entries held here, taking over those
  // of silent nodes.
  void renew();
  void reclaim_scan();
  void reclaim(std::size_t stream_index, unsigned want);
  void reclaimed(std::size_t stream_index, unsigned want, const redisReply& reply);
  void reclaimed_with_deliveries(std::size_t stream_index, unsigned want,
                                 const std::vector<StreamEntry>& entries,
                                 const redisReply& pending);
  // Puts `entry` (entry `entry_id` of `stream`) on the dead-letter stream
  // with `error`, the reason; the caller answers its origin.
  void dead_letter(const TaskEntry& entry, const std::string& stream, const std::string& entry_id,
                   const std::string& error);
  // The shared poison list: new dead letters into this node's poison list.
  void read_dead_letters();
  void took_dead_letters(const redisReply& reply);
  // Entries deleted or trimmed from their stream (see above): checked each
  // reclaim scan; a task whose entry was found gone a scan ago is answered.
  void check_lost();
  void check_entry(std::uint64_t task_id, std::size_t stream_index, const std::string& entry_id);
  // The link is gone: shipped tasks back into the local queue.
  void take_back_all();
  void pause_shipping(const std::string& why);

  WorkSharingParts p_;
  std::string incarnation_;       // drawn at start: this run of the node
  std::uint64_t generation_ = 0;  // bumped on every link change; stale answers are ignored
  bool groups_ready_ = false;
  bool reading_tasks_ = false;
  bool read_again_ = false;  // an event came while a read was out (poll_after_event)
  bool reading_replies_ = false;
  bool reclaiming_ = false;
  bool reading_dead_ = false;
  std::string last_dead_id_;           // the last dead letter read; empty: not read yet
  std::uint64_t paused_until_ms_ = 0;  // shipping paused after Redis refused an XADD
  std::string last_reply_id_ = "0-0";
  // The newest entry the blocking reads saw on each task stream.
  std::array<std::string, streams::kTaskStreams.size()> task_cursors_;
  std::map<std::uint64_t, Task> shipped_;  // by task id: out in the cluster, result awaited
  struct ShippedEntry {
    std::size_t stream_index = 0;
    std::string id;              // from the XADD's answer
    std::uint64_t since_ms = 0;  // loop time it was added
    bool checking = false;       // check_entry's questions are out
    bool gone = false;           // found in neither its stream nor the pending list
  };
  // By task id (oldest first), for check_lost; an id whose task left
  // shipped_ is dropped at the next scan.
  std::map<std::uint64_t, ShippedEntry> shipped_entries_;
  std::unordered_map<std::uint64_t, Remote> remote_;  // by local task id
  std::deque<Task> waiting_;  // remote tasks taken, waiting for an idle worker
  std::uint64_t next_remote_task_id_;
  UvHandle<uv_timer_t> poll_timer_;
  UvHandle<uv_timer_t> reply_timer_;
  UvHandle<uv_timer_t> renew_timer_;
  UvHandle<uv_timer_t> reclaim_timer_;
  std::optional<StreamWaiter> waiter_;  // made by start()
};

}  // namespace stickerd
