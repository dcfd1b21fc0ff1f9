// DiskCache: the loop side of the disk tier; LMDB runs in DiskStore jobs.
#include "master/cache/disk_cache.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/log.h"
#include "master/uv/repeating_timer.h"

namespace stickerd {
namespace {

// Rendered stickers waiting for their write: beyond this the next ones are
// dropped rather than held in memory while the disk is slow.
constexpr std::size_t kMaxPendingBytes = 16u << 20;
// Bookkeeping of entries the memory tier served rides along with the next
// write, or goes alone once this many are due.
constexpr std::size_t kMetaFlushCount = 64;

// A start waits this long at most for the preload before READY; the
// preload's reads stop after kPreloadReadMs.
constexpr std::uint64_t kWarmupLimitMs = 3000;
constexpr auto kPreloadReadMs = std::chrono::milliseconds(2000);
// How often popular entries that memory evicted are loaded back, and how
// many at most each time: a trickle of reads beside the requests' own.
constexpr std::uint64_t kRefreshMs = 2000;
constexpr std::size_t kRefreshBatch = 32;

// The first characters of a key, enough to find it in a log.
std::string short_key(const std::string& key) { return key.substr(0, 16); }

}  // namespace

struct DiskCache::Job {
  uv_work_t req{};
  DiskCache* owner = nullptr;  // cleared when the DiskCache goes first
  std::function<void()> work;
  std::function<void()> done;
};

DiskCache::DiskCache(uv_loop_t* loop, std::string dir, std::size_t budget_bytes)
    : loop_(loop), dir_(std::move(dir)), budget_(budget_bytes), index_(budget_bytes) {
  counts_.budget = budget_bytes;
}

DiskCache::~DiskCache() {
  for (Job* job : jobs_) job->owner = nullptr;
}

void DiskCache::submit(std::function<void()> work, std::function<void()> done) {
  auto job = std::make_unique<Job>();
  job->owner = this;
  job->work = std::move(work);
  job->done = std::move(done);
  job->req.data = job.get();
  const int rc = uv_queue_work(
      loop_, &job->req, [](uv_work_t* req) { static_cast<Job*>(req->data)->work(); },
      [](uv_work_t* req, int) {
        std::unique_ptr<Job> finished(static_cast<Job*>(req->data));
        if (finished->owner == nullptr) return;
        finished->owner->jobs_.erase(finished.get());
        finished->done();
      });
  if (rc == 0) jobs_.insert(job.release());
}

void DiskCache::keep_warm(std::size_t max_bytes, Fill fill, Held held) {
  warm_bytes_ = max_bytes;
  fill_ = std::move(fill);
  held_ = std::move(held);
}

bool DiskCache::warming() const { return warming_ && uv_now(loop_) - started_ms_ < kWarmupLimitMs; }

void DiskCache::start() {
  if (!enabled()) return;
  warming_ = true;
  started_ms_ = uv_now(loop_);
  struct Opening {
    std::shared_ptr<DiskStore> store;
    DiskContents contents;
    std::string error;
  };
  auto opening = std::make_shared<Opening>();
  submit(
      [opening, dir = dir_, budget = budget_] {
        auto store = DiskStore::open(dir, budget);
        if (!store) {
          opening->error = store.error().message;
          return;
        }
        opening->store = std::move(*store);
        opening->contents = opening->store->contents();
      },
      [this, opening] {
        if (!opening->store) {
          warming_ = false;
          log::warning("disk cache off: {}", opening->error);
          return;
        }
        opened(std::move(opening->store), std::move(opening->contents));
      });
}

void DiskCache::opened(std::shared_ptr<DiskStore> store, DiskContents contents) {
  store_ = std::move(store);
  writable_ = true;
  // Oldest first, so the index's recency order is the one they were left in.
  std::sort(contents.entries.begin(), contents.entries.end(),
            [](const auto& a, const auto& b) { return a.second.stamp < b.second.stamp; });
  for (const auto& [key, meta] : contents.entries) {
    for (std::string& evicted : index_.insert(key, meta.charge, meta)) {
      pending_deletes_.push_back(std::move(evicted));
    }
  }
  for (std::string& key : contents.unreadable) pending_deletes_.push_back(std::move(key));
  log::info("disk cache: {} entries, {} KiB of {} MiB, in {}", index_.entries(),
            index_.bytes() >> 10, budget_ >> 20, dir_);
  load_into_memory(index_.hottest(warm_bytes_));
  start_repeating<DiskCache, &DiskCache::refresh>(refresh_timer_, loop_, this, kRefreshMs);
  flush();
  changed();
}

void DiskCache::load_into_memory(std::vector<std::string> keys) {
  if (keys.empty() || !fill_) {
    warming_ = false;
    return;
  }
  loading_ = true;
  auto reads = std::make_shared<std::vector<std::pair<std::string, DiskRead>>>();
  submit(
      [store = store_, keys = std::move(keys), reads] {
        const auto until = std::chrono::steady_clock::now() + kPreloadReadMs;
        for (const std::string& key : keys) {
          if (std::chrono::steady_clock::now() > until) break;
          reads->emplace_back(key, store->read(key));
        }
      },
      [this, reads] { loaded(std::move(*reads)); });
}

void DiskCache::loaded(std::vector<std::pair<std::string, DiskRead>> reads) {
  loading_ = false;
  std::uint64_t& count = warming_ ? counts_.preloaded : counts_.refreshed;
  for (auto& [key, read] : reads) {
    switch (read.outcome) {
      case DiskRead::Outcome::kHit:
        ++count;
        fill_(key, std::move(read.sticker));
        break;
      case DiskRead::Outcome::kMissing:
        index_.erase(key);
        break;
      case DiskRead::Outcome::kRefused:
        refuse(key, read.problem);
        break;
    }
  }
  if (warming_) {
    warming_ = false;
    log::info("disk cache: {} popular stickers loaded into memory", counts_.preloaded);
  }
  changed();
}

void DiskCache::refresh() {
  if (!store_ || loading_ || !held_) return;
  std::vector<std::string> keys;
  for (std::string& key : index_.popular(warm_bytes_)) {
    if (keys.size() == kRefreshBatch) break;
    if (contains(key) && !held_(key)) keys.push_back(std::move(key));
  }
  if (!keys.empty()) load_into_memory(std::move(keys));
}

bool DiskCache::contains(const std::string& key) const {
  // A key whose write has not landed yet would read as missing.
  return store_ && index_.contains(key) && !pending_puts_.count(key) && !writing_keys_.count(key);
}

bool DiskCache::read(const std::string& key, Found found) {
  if (!enabled()) return false;
  if (!contains(key)) {
    ++counts_.misses;
    return false;
  }
  auto result = std::make_shared<DiskRead>();
  submit(
      [store = store_, key, result] { *result = store->read(key); },
      [this, key, result, found = std::move(found)] { read_done(key, std::move(*result), found); });
  return true;
}

void DiskCache::read_done(const std::string& key, DiskRead read, const Found& found) {
  std::optional<v1::Sticker> sticker;
  switch (read.outcome) {
    case DiskRead::Outcome::kHit:
      ++counts_.hits;
      touch(key);
      sticker = std::move(read.sticker);
      break;
    case DiskRead::Outcome::kMissing:  // evicted by a write that landed meanwhile
      ++counts_.misses;
      index_.erase(key);
      break;
    case DiskRead::Outcome::kRefused:
      ++counts_.misses;
      refuse(key, read.problem);
      break;
  }
  changed();
  found(std::move(sticker));
}

void DiskCache::refuse(const std::string& key, const std::string& problem) {
  ++counts_.refused;
  log::warning("disk cache: entry {}… in {} refused: {}; it is deleted and rendered again",
               short_key(key), dir_, problem);
  remove(key);
}

void DiskCache::touch(const std::string& key) {
  if (auto meta = index_.touch(key)) {
    pending_metas_[key] = *meta;
    flush();
  }
}

void DiskCache::remove(const std::string& key) {
  index_.erase(key);
  pending_metas_.erase(key);
  if (auto it = pending_puts_.find(key); it != pending_puts_.end()) {
    pending_bytes_ -= it->second.ByteSizeLong();
    pending_puts_.erase(it);
  }
  pending_deletes_.push_back(key);
  flush();
}

void DiskCache::put(const std::string& key, const v1::Sticker& sticker) {
  if (!enabled() || !store_) return;
  const std::size_t size = sticker.ByteSizeLong();
  if (!writable_ || pending_bytes_ + size > kMaxPendingBytes) {
    ++counts_.dropped_writes;
    changed();
    return;
  }
  std::vector<std::string> evicted =
      index_.insert(key, DiskIndex::charge(key.size(), kEntryHeaderBytes + size));
  for (const std::string& gone : evicted) {
    ++counts_.evictions;
    remove(gone);
  }
  if (!index_.contains(key)) return;  // larger than the whole tier
  if (auto [it, fresh] = pending_puts_.try_emplace(key, sticker); !fresh) {
    pending_bytes_ -= it->second.ByteSizeLong();
    it->second = sticker;
  }
  pending_bytes_ += size;
  flush();
  changed();
}

void DiskCache::flush() {
  if (writing_ || !writable_) return;
  if (pending_puts_.empty() && pending_deletes_.empty() &&
      pending_metas_.size() < kMetaFlushCount) {
    return;
  }
  auto batch = std::make_shared<DiskWrite>();
  for (auto& [key, sticker] : pending_puts_) {
    const std::optional<DiskMeta> meta = index_.meta(key);
    if (!meta) continue;
    writing_keys_.insert(key);
    batch->puts.push_back(DiskPut{key, std::move(sticker), *meta});
  }
  for (auto& [key, meta] : pending_metas_) {
    if (!pending_puts_.count(key)) batch->metas.emplace_back(key, meta);
  }
  batch->deletes = std::move(pending_deletes_);
  pending_puts_.clear();
  pending_metas_.clear();
  pending_deletes_.clear();
  pending_bytes_ = 0;
  writing_ = true;
  auto rc = std::make_shared<int>(0);
  submit([store = store_, batch, rc] { *rc = store->write(*batch); },
         [this, batch, rc] { write_done(*batch, *rc); });
}

void DiskCache::write_done(const DiskWrite& batch, int rc) {
  writing_ = false;
  writing_keys_.clear();
  if (rc == 0) {
    counts_.writes += batch.puts.size();
    flush();
  } else {
    // Disk full, the map full or an I/O error: what is stored stays
    // readable; what this batch held is not stored.
    writable_ = false;
    ++counts_.write_errors;
    counts_.dropped_writes += batch.puts.size() + pending_puts_.size();
    for (const DiskPut& put : batch.puts) index_.erase(put.key);
    for (const auto& [key, sticker] : pending_puts_) index_.erase(key);
    pending_puts_.clear();
    pending_bytes_ = 0;
    log::error(
        "disk cache: a write to {} failed ({}); the disk tier stops writing until a "
        "restart and keeps serving what it holds",
        dir_, mdb_strerror(rc));
  }
  changed();
}

DiskCacheCounts DiskCache::counts() const {
  DiskCacheCounts c = counts_;
  c.bytes = index_.bytes();
  c.entries = index_.entries();
  c.backlog = pending_puts_.size() + writing_keys_.size();
  c.ready = store_ != nullptr;
  c.writable = writable_;
  return c;
}

void DiskCache::changed() const {
  if (changed_) changed_();
}

}  // namespace stickerd
