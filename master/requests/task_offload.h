// TaskOffload: where the Dispatcher sends queued tasks instead of its own
// workers, and how it hands back the outcomes of tasks it renders for
// others. Cluster mode's work sharing (master/service/work_sharing.h)
// implements it; a single node has none, and the Dispatcher works exactly
// as it always has.
//
// The promise stays the Dispatcher's: a shipped task comes back to it
// exactly once, through settle() (its result from the cluster), through
// take_expired() (its deadline passed out there), or back into the queue
// (the cluster was lost), so its requests still get exactly one final reply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "master/pool/task.h"
#include "worker.pb.h"

namespace stickerd {

class TaskOffload {
 public:
  // Whether a queued task may leave for the cluster now.
  virtual bool can_ship() const = 0;
  virtual void ship(Task task) = 0;
  // Whether `task_id` is a task this node renders for another node: its
  // outcome goes to cluster_settled(), not to a request here.
  virtual bool renders_for_cluster(std::uint64_t task_id) const = 0;
  virtual void cluster_settled(const Task& task, v1::TaskResult result) = 0;
  // Such a task whose worker died, to be retried on this node's next idle
  // worker (lost_task_fate() decided so).
  virtual void retry_here(Task task) = 0;
  // Shipped tasks whose deadline passed by loop time `now_ms`, taken back
  // so the Dispatcher answers them DEADLINE_EXCEEDED (a late result is dropped).
  virtual std::vector<Task> take_expired(std::uint64_t now_ms) = 0;
  // How many shipped tasks still wait for their result.
  virtual std::size_t shipped() const = 0;
  // Every shipped task, taken back (the daemon gives up on its work).
  virtual std::vector<Task> take_shipped() = 0;

 protected:
  ~TaskOffload() = default;
};

}  // namespace stickerd
