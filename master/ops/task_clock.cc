// TaskClock: per-task timestamps for the queue-wait and task-time metrics.
#include "master/ops/task_clock.h"

#include <iterator>

namespace stickerd {

void TaskClock::queued(std::uint64_t task_id, std::uint64_t now_ns) {
  entries_[task_id] = Entry{now_ns, 0};
}

std::optional<double> TaskClock::dispatched(std::uint64_t task_id, std::uint64_t now_ns) {
  auto it = entries_.find(task_id);
  if (it == entries_.end()) return std::nullopt;
  it->second.dispatched_ns = now_ns;
  return static_cast<double>(now_ns - it->second.queued_ns) / 1e9;
}

std::optional<double> TaskClock::finished(std::uint64_t task_id, std::uint64_t now_ns) {
  auto it = entries_.find(task_id);
  if (it == entries_.end() || it->second.dispatched_ns == 0) return std::nullopt;
  const double seconds = static_cast<double>(now_ns - it->second.dispatched_ns) / 1e9;
  entries_.erase(it);
  return seconds;
}

void TaskClock::prune(std::uint64_t now_ns, std::uint64_t max_age_ns) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = now_ns - it->second.queued_ns > max_age_ns ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace stickerd
