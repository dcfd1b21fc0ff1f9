// WarmQueue: background renders that only fill the cache (stickerctl warm),
// kept apart from the task queue and dispatched only when a worker would
// otherwise idle. Bounded by the caller (never beyond the main queue's
// capacity), keyed by cache key so a key is queued once. Pure bookkeeping.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "master/pool/task.h"

namespace stickerd {

class WarmQueue {
 public:
  struct Entry {
    Task task;
    std::string key;
  };

  bool holds(const std::string& key) const { return keys_.count(key) != 0; }
  std::size_t size() const { return queue_.size(); }
  bool empty() const { return queue_.empty(); }

  void push(Task task, std::string key) {
    keys_.emplace(key, task.task_id);
    queue_.push_back(Entry{std::move(task), std::move(key)});
  }
  // Drops the queued warm render of `key`, if any (a request now renders it).
  void drop(const std::string& key) {
    auto k = keys_.find(key);
    if (k == keys_.end()) return;
    std::erase_if(queue_, [&](const Entry& e) { return e.task.task_id == k->second; });
    keys_.erase(k);
  }
  // The oldest entry; call only when !empty().
  Entry pop() {
    Entry next = std::move(queue_.front());
    queue_.pop_front();
    keys_.erase(next.key);
    return next;
  }

 private:
  std::deque<Entry> queue_;
  std::unordered_map<std::string, std::uint64_t> keys_;  // key -> queued warm task id
};

}  // namespace stickerd
