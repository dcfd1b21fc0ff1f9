// TaskClock: when each task entered the queue and when a worker took it, so
// metrics can tell queue wait from work time without widening Task. Pure:
// the caller passes the time, so tests drive it from memory.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

namespace stickerd {

class TaskClock {
 public:
  void queued(std::uint64_t task_id, std::uint64_t now_ns);
  // Seconds the task waited since queued(); nothing if it was never queued.
  // A retried task is queued again and so measured again.
  std::optional<double> dispatched(std::uint64_t task_id, std::uint64_t now_ns);
  // Seconds since dispatched(); forgets the task.
  std::optional<double> finished(std::uint64_t task_id, std::uint64_t now_ns);
  // Forgets tasks older than `max_age_ns` (cancelled or dropped ones never
  // finish), so the table stays bounded.
  void prune(std::uint64_t now_ns, std::uint64_t max_age_ns);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t queued_ns = 0;
    std::uint64_t dispatched_ns = 0;  // 0: still queued
  };
  std::unordered_map<std::uint64_t, Entry> entries_;
};

}  // namespace stickerd
