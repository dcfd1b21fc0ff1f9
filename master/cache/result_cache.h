// ResultCache: finished stickers kept in the master, so a repeated request is
// answered without a worker.
//
// Guarantees:
//  * The key covers everything that decides the output bytes (cache_key()):
//    the text as a person sees it (NFC, trimmed), the style's config_id (a hash
//    of its definition, so an edited style never serves stale stickers), the
//    format, the profile and the renderer version.
//  * A byte budget, not an entry count: stickers range from 5 KB (static) to
//    hundreds of KB (animated). Least recently used entries are evicted first;
//    an entry larger than the whole budget is not stored. Budget 0 disables
//    the cache: nothing is stored and lookups are not counted.
// Pure: no I/O, no clock; unit-tested from memory. Not thread-safe (the
// master's loop owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "stickerd.pb.h"

namespace stickerd {

// The canonical key (32 bytes of SHA-256, hex) of one render. `text` is
// normalised here (NFC, then trimmed of Unicode white space) so callers pass
// what admission accepted; invalid UTF-8 hashes as given.
std::string cache_key(std::string_view text, std::string_view config_id, v1::Format format,
                      v1::Profile profile, std::string_view renderer_version);

struct CacheCounts {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;
  std::uint64_t insertions = 0;
  std::size_t bytes = 0;  // charged bytes of every entry held
  std::size_t entries = 0;
};

class ResultCache {
 public:
  explicit ResultCache(std::size_t budget_bytes) : budget_(budget_bytes) {}

  bool enabled() const { return budget_ > 0; }
  std::size_t budget() const { return budget_; }
  // A reload's new budget, evicting the least recently used entries until
  // the cache fits it. The server never passes 0 here: turning the cache off
  // is restart-only (master/config_reload.h).
  void set_budget(std::size_t budget_bytes);

  // The sticker stored under `key`, now the most recently used; nullptr on a
  // miss. The pointer is valid until the next put().
  const v1::Sticker* get(const std::string& key);
  // True when `key` is held, without counting a lookup or touching recency.
  bool contains(const std::string& key) const { return index_.count(key) != 0; }
  // Stores (or replaces) `sticker` under `key`, evicting the least recently
  // used entries until it fits. False when it cannot fit at all.
  bool put(const std::string& key, v1::Sticker sticker);

  const CacheCounts& counts() const { return counts_; }

  // What an entry is charged: its bytes plus the key and a fixed overhead
  // for the node and the index, so many tiny entries cannot exceed the budget.
  static std::size_t charge(const std::string& key, const v1::Sticker& sticker);

 private:
  struct Entry {
    std::string key;
    v1::Sticker sticker;
    std::size_t charge = 0;
  };
  void erase(std::list<Entry>::iterator it);

  std::size_t budget_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  CacheCounts counts_;
};

}  // namespace stickerd
