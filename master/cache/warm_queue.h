// WarmQueue: background renders that only fill the cache (stickerctl warm,
// prediction), kept apart from the task queue and dispatched only when a
// worker would otherwise idle. Keyed by cache key so a key is queued once.
// Each entry has a score, how often its text was asked for: idle workers
// are few, so the most popular text's renders leave first (equal scores
// oldest first), and a full queue gives up its least popular entry for a
// more popular one (Intake::place_warm_item). Bounded by the caller (never
// beyond the main queue's capacity). Pure bookkeeping.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
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

  bool holds(const std::string& key) const { return ranks_.count(key) != 0; }
  std::size_t size() const { return queue_.size(); }
  bool empty() const { return queue_.empty(); }

  // Call only when !holds(key).
  void push(Task task, std::string key, std::uint32_t score) {
    const Rank rank{score, next_seq_++};
    ranks_.emplace(key, rank);
    queue_.emplace(rank, Entry{std::move(task), std::move(key)});
  }
  // A queued key's text was asked for again: it moves up to `score` (never down).
  void raise(const std::string& key, std::uint32_t score) {
    auto r = ranks_.find(key);
    if (r == ranks_.end() || score <= r->second.score) return;
    auto node = queue_.extract(r->second);
    r->second.score = score;
    node.key() = r->second;
    queue_.insert(std::move(node));
  }
  // Drops the queued warm render of `key`, if any (a request now renders it).
  void drop(const std::string& key) {
    auto r = ranks_.find(key);
    if (r == ranks_.end()) return;
    queue_.erase(r->second);
    ranks_.erase(r);
  }
  // The score of the entry that pop_least() would take; nothing when empty.
  std::optional<std::uint32_t> least_score() const {
    if (queue_.empty()) return std::nullopt;
    return std::prev(queue_.end())->first.score;
  }
  // The most popular entry (the oldest of equals); call only when !empty().
  Entry pop() { return take(queue_.begin()); }
  // The least popular entry (the newest of equals); call only when !empty().
  Entry pop_least() { return take(std::prev(queue_.end())); }

 private:
  struct Rank {
    std::uint32_t score = 0;
    std::uint64_t seq = 0;  // push order
    // Highest score first, then oldest first.
    bool operator<(const Rank& o) const { return score != o.score ? score > o.score : seq < o.seq; }
  };

  Entry take(std::map<Rank, Entry>::iterator it) {
    Entry e = std::move(it->second);
    queue_.erase(it);
    ranks_.erase(e.key);
    return e;
  }

  std::map<Rank, Entry> queue_;
  std::unordered_map<std::string, Rank> ranks_;  // key -> its place in queue_
  std::uint64_t next_seq_ = 0;
};

}  // namespace stickerd
