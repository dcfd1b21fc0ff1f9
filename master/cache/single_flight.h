// SingleFlight: identical requests in flight share one render.
//
// A flight is one task (its leader) and every request waiting for its
// result: the request that caused it and any identical request that arrived
// while it was queued or running (same cache key). When the task settles,
// finish() hands back every waiter so each gets exactly one reply, the
// sticker or the task's error. A flight may have no waiters at all (a warm
// render that only fills the cache).
// Pure bookkeeping: no I/O; the server does the sending. Unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace stickerd {

class SingleFlight {
 public:
  struct Waiter {
    std::uint64_t serial = 0;       // RequestBook serial of the waiting request
    std::uint32_t batch_index = 0;  // its position, when it is a batch item
    bool operator==(const Waiter&) const = default;
  };
  struct Landed {
    std::string key;
    std::vector<Waiter> waiters;  // the leader's request first, in arrival order
  };

  // Starts the flight of `key` led by task `task_id`. A key has one flight.
  void start(const std::string& key, std::uint64_t task_id, std::optional<Waiter> first) {
    Flight& f = by_key_[key];
    f.task_id = task_id;
    if (first) f.waiters.push_back(*first);
    key_of_task_[task_id] = key;
  }
  bool active(const std::string& key) const { return by_key_.count(key) != 0; }
  // The task leading the flight of `key`, if there is one.
  std::optional<std::uint64_t> task_of(const std::string& key) const {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return std::nullopt;
    return it->second.task_id;
  }
  // Adds a waiter to the flight of `key`; false when there is none.
  bool join(const std::string& key, Waiter waiter) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return false;
    it->second.waiters.push_back(waiter);
    return true;
  }
  // The waiters of the flight led by `task_id` (nullptr: it leads none).
  const std::vector<Waiter>* waiters(std::uint64_t task_id) const {
    auto k = key_of_task_.find(task_id);
    if (k == key_of_task_.end()) return nullptr;
    return &by_key_.at(k->second).waiters;
  }
  // Ends the flight led by `task_id`, returning its key and waiters.
  std::optional<Landed> finish(std::uint64_t task_id) {
    auto k = key_of_task_.find(task_id);
    if (k == key_of_task_.end()) return std::nullopt;
    auto f = by_key_.find(k->second);
    Landed landed{k->second, std::move(f->second.waiters)};
    by_key_.erase(f);
    key_of_task_.erase(k);
    return landed;
  }
  std::size_t size() const { return by_key_.size(); }

 private:
  struct Flight {
    std::uint64_t task_id = 0;
    std::vector<Waiter> waiters;
  };
  std::unordered_map<std::string, Flight> by_key_;
  std::unordered_map<std::uint64_t, std::string> key_of_task_;
};

}  // namespace stickerd
