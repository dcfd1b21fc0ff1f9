// RedisCache: the result cache's third tier in cluster mode. Lookups go
// memory → disk → Redis → render (Dispatcher::read_lower_tiers), so a
// sticker rendered on one node is a hit on every other, and a hit here
// refills the tiers above it.
//
// An entry is `SET stickerd:cache:<key> <entry> EX kTtlSeconds`, the entry
// in the disk tier's checksummed format (master/cache/disk_record.h): a
// value that is torn or filed under another key is refused (a miss), never
// served. Only these keys carry a TTL, so Redis run with
// `maxmemory-policy volatile-lru` evicts cache entries and never the task
// streams (docs/CLUSTER.md).
//
// Both calls are asynchronous on the link; while it is down a lookup is a
// miss at once and a store is skipped. A lookup whose answer never comes
// (the connection went first) is given up on by its caller.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "master/cluster/redis_link.h"
#include "stickerd.pb.h"

namespace stickerd {

class RedisCache {
 public:
  using Found = std::function<void(std::optional<v1::Sticker>)>;

  // A day: long enough to serve a text's regulars, short enough that a
  // renderer upgrade's old stickers age out (keys also change with it).
  static constexpr std::uint64_t kTtlSeconds = 24 * 60 * 60;

  explicit RedisCache(RedisLink& link) : link_(link) {}
  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  // Starts reading `key`; `found` runs later with the sticker, or nullopt
  // for a miss or a refused entry. False (nothing sent, `found` never runs)
  // while the link is down.
  bool lookup(const std::string& key, Found found);
  // Stores `sticker` under `key` in the background; skipped while the link
  // is down.
  void store(const std::string& key, const v1::Sticker& sticker);

 private:
  RedisLink& link_;
};

}  // namespace stickerd
