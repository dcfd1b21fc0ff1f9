// DiskCache: the result cache's second tier, on disk, so finished stickers
// survive a restart. Lookups go memory → disk → render (master/service/
// intake.cc); a disk hit refills memory, and every rendered sticker is
// written here in the background.
//
// Guarantees:
//  * No LMDB call on the loop: opening, reading and writing run on libuv's
//    threadpool (uv_queue_work); the loop keeps only the index (disk_index.h)
//    and the queue of writes.
//  * A disk-tier failure never fails or delays a request beyond the read it
//    was waiting for: an entry that fails its checksum is refused, logged,
//    deleted and reported as a miss (so it is rendered again); a store that
//    cannot open leaves the tier off; a write that fails (disk full, budget)
//    stops writing until a restart while reads go on.
//  * Writes are batched, one transaction at a time; the backlog is bounded,
//    and a write that does not fit it is dropped (counted).
//  * At start the most popular entries are loaded into memory
//    (keep_warm()); warming() holds READY back until that is done, for
//    at most kWarmupLimitMs, so a restarted daemon answers its regulars
//    from memory at once. Afterwards, popular entries (asked for more than
//    once) that memory evicted are loaded back every kRefreshMs, a few at a
//    time, from the threadpool: no worker renders for it.
//  * Budget 0 turns the tier off: no directory, no lookups counted.
// Not thread-safe: the loop owns it; only DiskStore runs on other threads.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "master/cache/disk_index.h"
#include "master/cache/disk_store.h"
#include "master/uv/uv_handle.h"
#include "stickerd.pb.h"

namespace stickerd {

struct DiskCacheCounts {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t refused = 0;  // entries that failed their checksum or could not be read
  std::uint64_t evictions = 0;
  std::uint64_t writes = 0;          // entries stored
  std::uint64_t write_errors = 0;    // write transactions that failed (writing then stopped)
  std::uint64_t dropped_writes = 0;  // entries not written: backlog full or writing stopped
  std::size_t bytes = 0;             // what the entries held are charged
  std::size_t entries = 0;
  std::size_t budget = 0;
  std::size_t backlog = 0;      // rendered stickers waiting for their write, or being written
  std::uint64_t preloaded = 0;  // entries loaded into memory at start
  std::uint64_t refreshed = 0;  // popular entries loaded back after memory evicted them
  bool ready = false;           // the store is open and its index read
  bool writable = false;        // ready, and no write has failed
};

class DiskCache {
 public:
  using Found = std::function<void(std::optional<v1::Sticker>)>;
  using Fill = std::function<void(const std::string& key, v1::Sticker sticker)>;
  using Held = std::function<bool(const std::string& key)>;

  DiskCache(uv_loop_t* loop, std::string dir, std::size_t budget_bytes);
  DiskCache(const DiskCache&) = delete;
  DiskCache& operator=(const DiskCache&) = delete;
  // Work still on the threadpool finishes there; its result is dropped.
  ~DiskCache();

  bool enabled() const { return budget_ > 0; }
  // Keeps the most popular entries, up to `max_bytes` of them, in the
  // memory tier: at start, and later those it no longer `held`, through
  // `fill`. Call before start().
  void keep_warm(std::size_t max_bytes, Fill fill, Held held);
  // Opens the store, reads its index and preloads, off the loop; until the
  // index is read every lookup is a miss.
  void start();
  // Whether the start's preload still runs (never longer than kWarmupLimitMs).
  bool warming() const;
  // Called on the loop after the counts changed outside a caller's call (a
  // read or write finished).
  void on_change(std::function<void()> changed) { changed_ = std::move(changed); }

  // Whether the tier holds `key`, without counting a lookup.
  bool contains(const std::string& key) const;
  // Starts reading `key`; `found` runs on the loop later with the sticker,
  // or nullopt when it turned out missing or was refused. False (a miss,
  // counted; `found` never runs) when the tier does not hold `key`.
  bool read(const std::string& key, Found found);
  // The memory tier served `key`: recent and popular here too.
  void touch(const std::string& key);
  // Writes `sticker` under `key` in the background.
  void put(const std::string& key, const v1::Sticker& sticker);

  DiskCacheCounts counts() const;

 private:
  struct Job;
  // Runs `work` on the threadpool, then `done` on the loop unless this
  // object is gone by then.
  void submit(std::function<void()> work, std::function<void()> done);
  void opened(std::shared_ptr<DiskStore> store, DiskContents contents);
  // Reads `keys` off the loop and fills memory with them (the start's
  // preload, then each refresh).
  void load_into_memory(std::vector<std::string> keys);
  void loaded(std::vector<std::pair<std::string, DiskRead>> reads);
  // The popular entries memory lost, a few per turn (every kRefreshMs).
  void refresh();
  // An entry that failed its check: logged, forgotten and deleted.
  void refuse(const std::string& key, const std::string& problem);
  void read_done(const std::string& key, DiskRead read, const Found& found);
  void remove(const std::string& key);
  // Starts the next write transaction when one is due and none runs.
  void flush();
  void write_done(const DiskWrite& batch, int rc);
  void changed() const;

  uv_loop_t* loop_;
  std::string dir_;
  std::size_t budget_;
  std::shared_ptr<DiskStore> store_;  // set once open; shared with the jobs using it
  bool writable_ = false;
  DiskIndex index_;
  DiskCacheCounts counts_;
  std::function<void()> changed_;
  std::size_t warm_bytes_ = 0;
  Fill fill_;
  Held held_;
  bool warming_ = false;
  bool loading_ = false;  // a preload or refresh read runs
  UvHandle<uv_timer_t> refresh_timer_;
  std::uint64_t started_ms_ = 0;  // loop time of start()
  std::unordered_set<Job*> jobs_;

  // Writes not yet started, and the keys of the one running.
  std::unordered_map<std::string, v1::Sticker> pending_puts_;
  std::unordered_map<std::string, DiskMeta> pending_metas_;
  std::vector<std::string> pending_deletes_;
  std::size_t pending_bytes_ = 0;
  std::unordered_set<std::string> writing_keys_;
  bool writing_ = false;
};

}  // namespace stickerd
