// TaskQueue: the bounded, prioritised queue of tasks waiting for a worker.
//
// Guarantees:
//  * Bounded: push_back() refuses a task once size() reaches capacity(); the
//    caller answers QUEUE_FULL at once. The queue never blocks and never drops
//    a task silently: every task that leaves it is returned to the caller.
//  * Priority classes: INTERACTIVE, then BATCH, then BACKGROUND; within a
//    class, oldest first.
//  * Overload: push_or_displace() lets a task into a full queue by pushing out
//    the newest task of the lowest class that is strictly lower than its own;
//    the displaced task is returned so its request can be answered QUEUE_FULL.
//    A task never displaces its own class or a higher one.
//  * Bounded starvation: a class that waits while 8 tasks in a row go to
//    higher classes is served next (the highest such class first). So under
//    a flood of interactive work, batch still gets one dispatch in nine and
//    background gets its turn right after batch's counter is reset.
//  * Promotion: promote() moves a queued task up to a higher class, to the
//    back of it, when a request of that class comes to share it (an
//    identical request joining its single-flight): a shared task waits in
//    the class of its most urgent request, never below it.
//  * Retries: push_front() puts an already-accepted task (its worker died) at
//    the head of its class. It ignores the bound on purpose: refusing a retry
//    would break the promise that every accepted request gets a reply, and a
//    retry only replaces the slot its task held before dispatch.
//  * Deadlines: remove_expired() takes out every task whose deadline_at_ms
//    has passed, so they are answered DEADLINE_EXCEEDED without a render.
//  * Removal: a cancelled request's or a closed connection's tasks come out
//    with remove_request()/remove_connection(), in queue order, so the caller
//    can answer or forget each one.
// Pure: no I/O; the caller passes the time. Unit-tested from memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "master/pool/task.h"

namespace stickerd {

class TaskQueue {
 public:
  // How many dispatches in a row may pass over a waiting lower class.
  static constexpr unsigned kStarvationLimit = 8;

  explicit TaskQueue(std::size_t capacity) : capacity_(capacity) {}

  // False (and `task` untouched) when the queue is full.
  bool push_back(Task& task);

  struct PushOutcome {
    bool accepted = false;
    std::optional<Task> displaced;  // set only when accepted by displacement
  };
  // As push_back(), but a full queue lets a higher-priority task in by
  // displacing the newest task of the lowest strictly lower class.
  PushOutcome push_or_displace(Task& task);

  // Whether push_or_displace() would take a task of `priority` right now.
  bool can_accept(v1::Priority priority) const;

  void push_front(Task task);
  // Moves the queued task `task_id` to the back of `priority`'s class when
  // that class is higher than its own; false when it is not queued or
  // already at that class or above.
  bool promote(std::uint64_t task_id, v1::Priority priority);
  // The next task: the oldest of the highest non-empty class, unless a lower
  // class has been passed over kStarvationLimit times.
  std::optional<Task> pop();

  std::vector<Task> remove_request(std::uint64_t request_serial);
  std::vector<Task> remove_connection(std::uint64_t connection_id);
  // Every task whose deadline (deadline_at_ms != 0) is at or before `now_ms`.
  std::vector<Task> remove_expired(std::uint64_t now_ms);
  // Everything still queued, in class order (used when the daemon gives up).
  std::vector<Task> take_all();

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  // A reload's new capacity: tasks already queued beyond it stay and are
  // served; new ones are refused until the queue is below it again.
  void set_capacity(std::size_t capacity) { capacity_ = capacity; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ >= capacity_; }

 private:
  static constexpr std::size_t kClasses = 3;
  static std::size_t class_of(v1::Priority priority);

  template <typename Pred>
  std::vector<Task> remove_if(Pred pred);

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::array<std::deque<Task>, kClasses> classes_;  // index 0 is served first
  // Per class: dispatches to higher classes since it was last served while
  // it had work waiting.
  std::array<unsigned, kClasses> passed_over_{};
};

}  // namespace stickerd
