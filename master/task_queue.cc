// TaskQueue: bounded FIFO per priority class, highest class first.
#include "master/task_queue.h"

#include <utility>

namespace stickerd {

std::size_t TaskQueue::class_of(v1::Priority priority) {
  switch (priority) {
    case v1::PRIORITY_BATCH:
      return 1;
    case v1::PRIORITY_BACKGROUND:
      return 2;
    default:  // admission maps UNSPECIFIED to INTERACTIVE
      return 0;
  }
}

bool TaskQueue::push_back(Task& task) {
  if (full()) return false;
  classes_[class_of(task.spec.priority)].push_back(std::move(task));
  ++size_;
  return true;
}

void TaskQueue::push_front(Task task) {
  classes_[class_of(task.spec.priority)].push_front(std::move(task));
  ++size_;
}

std::optional<Task> TaskQueue::pop() {
  for (auto& q : classes_) {
    if (q.empty()) continue;
    Task t = std::move(q.front());
    q.pop_front();
    --size_;
    return t;
  }
  return std::nullopt;
}

template <typename Pred>
std::vector<Task> TaskQueue::remove_if(Pred pred) {
  std::vector<Task> removed;
  for (auto& q : classes_) {
    std::deque<Task> kept;
    for (auto& t : q) {
      if (pred(t)) {
        removed.push_back(std::move(t));
      } else {
        kept.push_back(std::move(t));
      }
    }
    q.swap(kept);
  }
  size_ -= removed.size();
  return removed;
}

std::vector<Task> TaskQueue::remove_request(std::uint64_t request_serial) {
  return remove_if([&](const Task& t) { return t.request_serial == request_serial; });
}

std::vector<Task> TaskQueue::remove_connection(std::uint64_t connection_id) {
  return remove_if([&](const Task& t) { return t.connection_id == connection_id; });
}

std::vector<Task> TaskQueue::take_all() {
  return remove_if([](const Task&) { return true; });
}

}  // namespace stickerd
