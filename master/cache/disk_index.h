// DiskIndex: which entries the disk tier holds, what each costs of the
// byte budget, and which go first when a new one needs room.
//
// Eviction is a segmented LRU, so both recency and popularity count: a new
// entry starts on probation; one asked for again (a lookup, or a hit in the
// memory tier above) moves to the protected segment, at most 80 % of the
// room. Room is made from probation's least recently used end first, so a
// burst of one-off stickers cannot push out the popular ones; a protected
// entry that falls out of its segment goes back to probation.
//
// Budget arithmetic: LMDB stores copy-on-write, in 4 KiB pages, and needs
// free pages for the next write while readers still see the last one. So
// an entry is charged whole pages, and entries may take only half the
// budget; the store's map (and so its file) is the whole budget.
// Pure: no I/O, no clock (recency is a logical stamp); unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "master/cache/disk_record.h"

namespace stickerd {

class DiskIndex {
 public:
  explicit DiskIndex(std::size_t budget_bytes) : budget_(budget_bytes) {}

  // What an entry of this key and value size is charged.
  static std::size_t charge(std::size_t key_bytes, std::size_t value_bytes);
  // The bytes entries may be charged in all.
  std::size_t capacity() const { return budget_ / 2; }

  bool contains(const std::string& key) const { return nodes_.count(key) != 0; }
  // Stores (or replaces) `key`, first evicting until it fits; returns the
  // evicted keys. Nothing is stored when `charge` exceeds capacity(). A
  // `meta` with hits (one loaded after a restart) starts protected, and its
  // stamp keeps the clock ahead of every stamp seen.
  std::vector<std::string> insert(const std::string& key, std::size_t charge, DiskMeta meta = {});
  // `key` was asked for: now the most recent and protected. Its updated
  // record, to persist; nullopt when it is not held.
  std::optional<DiskMeta> touch(const std::string& key);
  void erase(const std::string& key);

  std::size_t bytes() const { return bytes_; }
  std::size_t entries() const { return nodes_.size(); }
  std::size_t protected_bytes() const { return protected_bytes_; }
  // The most popular entries first (protected, then probation, each most
  // recent first), as many as `max_bytes` of charge holds: what a start
  // loads into memory.
  std::vector<std::string> hottest(std::size_t max_bytes) const;
  // The same, of the protected segment only (entries asked for again): what
  // is kept in memory once the daemon runs.
  std::vector<std::string> popular(std::size_t max_bytes) const;
  // The record of `key` as it would be persisted; nullopt when not held.
  std::optional<DiskMeta> meta(const std::string& key) const;

 private:
  struct Node {
    std::string key;
    DiskMeta meta;
    bool is_protected = false;
  };
  using Segment = std::list<Node>;  // front: most recent

  std::size_t protected_limit() const { return capacity() / 5 * 4; }
  Segment& segment_of(const Node& node) { return node.is_protected ? protected_ : probation_; }
  void evict_one(std::vector<std::string>& evicted);
  void protect(Segment::iterator it);

  std::size_t budget_;
  std::size_t bytes_ = 0;
  std::size_t protected_bytes_ = 0;
  std::uint64_t clock_ = 1;
  Segment probation_;
  Segment protected_;
  std::unordered_map<std::string, Segment::iterator> nodes_;
};

}  // namespace stickerd
