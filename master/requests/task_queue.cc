// TaskQueue: bounded FIFO per priority class, highest class first, with
// displacement on overload and bounded starvation (see task_queue.h).
#include "master/requests/task_queue.h"

#include <utility>

#include "master/requests/deadlines.h"

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

TaskQueue::PushOutcome TaskQueue::push_or_displace(Task& task) {
  PushOutcome out;
  if (push_back(task)) {
    out.accepted = true;
    return out;
  }
  const std::size_t mine = class_of(task.spec.priority);
  for (std::size_t c = kClasses; c-- > mine + 1;) {
    if (classes_[c].empty()) continue;
    // The newest of the lowest class has waited least: displacing it wastes
    // the least queue time.
    out.displaced = std::move(classes_[c].back());
    classes_[c].pop_back();
    classes_[mine].push_back(std::move(task));
    out.accepted = true;
    return out;
  }
  return out;
}

bool TaskQueue::can_accept(v1::Priority priority) const {
  if (!full()) return true;
  for (std::size_t c = class_of(priority) + 1; c < kClasses; ++c) {
    if (!classes_[c].empty()) return true;
  }
  return false;
}

void TaskQueue::push_front(Task task) {
  classes_[class_of(task.spec.priority)].push_front(std::move(task));
  ++size_;
}

bool TaskQueue::promote(std::uint64_t task_id, v1::Priority priority) {
  const std::size_t target = class_of(priority);
  for (std::size_t c = target + 1; c < kClasses; ++c) {
    auto& q = classes_[c];
    for (auto it = q.begin(); it != q.end(); ++it) {
      if (it->task_id != task_id) continue;
      Task task = std::move(*it);
      q.erase(it);
      task.spec.priority = priority;
      classes_[target].push_back(std::move(task));
      return true;
    }
  }
  return false;
}

std::optional<Task> TaskQueue::pop() {
  std::size_t top = kClasses;
  for (std::size_t c = 0; c < kClasses; ++c) {
    if (!classes_[c].empty()) {
      top = c;
      break;
    }
  }
  if (top == kClasses) return std::nullopt;
  std::size_t serve = top;
  for (std::size_t c = top + 1; c < kClasses; ++c) {
    if (!classes_[c].empty() && passed_over_[c] >= kStarvationLimit) {
      serve = c;
      break;
    }
  }
  for (std::size_t c = 0; c < kClasses; ++c) {
    if (c == serve || classes_[c].empty()) {
      passed_over_[c] = 0;
    } else if (c > serve) {
      ++passed_over_[c];
    }
  }
  Task t = std::move(classes_[serve].front());
  classes_[serve].pop_front();
  --size_;
  return t;
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

std::vector<Task> TaskQueue::remove_expired(std::uint64_t now_ms) {
  return remove_if([&](const Task& t) { return past_deadline(t, now_ms); });
}

std::vector<Task> TaskQueue::take_all() {
  return remove_if([](const Task&) { return true; });
}

}  // namespace stickerd
