// TaskQueue: the bounded, prioritised queue of tasks waiting for a worker.
//
// Guarantees:
//  * Bounded: push_back() refuses a task once size() reaches capacity(); the
//    caller answers QUEUE_FULL at once. The queue never blocks and never drops
//    a task it accepted.
//  * Priority classes: pop() takes from the highest class that has work
//    (INTERACTIVE, then BATCH, then BACKGROUND); within a class, oldest first.
//  * Retries: push_front() puts an already-accepted task (its worker died) at
//    the head of its class. It ignores the bound on purpose: refusing a retry
//    would break the promise that every accepted request gets a reply, and a
//    retry only replaces the slot its task held before dispatch.
//  * Removal: a cancelled request's or a closed connection's tasks come out
//    with remove_request()/remove_connection(), in queue order, so the caller
//    can answer or forget each one.
// Pure: no I/O, no clock; unit-tested from memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "master/task.h"

namespace stickerd {

class TaskQueue {
 public:
  explicit TaskQueue(std::size_t capacity) : capacity_(capacity) {}

  // False (and `task` untouched) when the queue is full.
  bool push_back(Task& task);
  void push_front(Task task);
  // The oldest task of the highest non-empty class.
  std::optional<Task> pop();

  std::vector<Task> remove_request(std::uint64_t request_serial);
  std::vector<Task> remove_connection(std::uint64_t connection_id);
  // Everything still queued, in pop() order (used when the daemon gives up).
  std::vector<Task> take_all();

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
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
};

}  // namespace stickerd
