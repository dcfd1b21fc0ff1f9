// DiskStore: the disk tier's LMDB environment and its blocking operations.
// Every call but the constructor's open() is made on a libuv threadpool
// thread (disk_cache.h), never on the loop. LMDB lets readers run in
// parallel with each other and with the one writer; DiskCache runs one
// write at a time.
//
// Two tables: "entries" (key → encode_entry() bytes) and "meta" (key →
// encode_meta(), what eviction needs after a restart), written together in
// one transaction. LMDB's copy-on-write pages mean a SIGKILL mid-write
// leaves the last committed state; the entry's CRC catches what LMDB cannot
// (a flipped bit on disk).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/unique_fd.h"
#include "master/cache/disk_record.h"
#include "master/cache/lmdb_handles.h"
#include "stickerd.pb.h"

namespace stickerd {

struct DiskPut {
  std::string key;
  v1::Sticker sticker;
  DiskMeta meta;
};

// One write transaction: new entries, bookkeeping of entries that were
// asked for, and entries to remove (evicted or refused).
struct DiskWrite {
  std::vector<DiskPut> puts;
  std::vector<std::pair<std::string, DiskMeta>> metas;
  std::vector<std::string> deletes;
  bool empty() const { return puts.empty() && metas.empty() && deletes.empty(); }
};

struct DiskRead {
  enum class Outcome { kHit, kMissing, kRefused };
  Outcome outcome = Outcome::kMissing;
  v1::Sticker sticker;  // kHit
  std::string problem;  // kRefused: why, for the log
};

// What a start finds in the store.
struct DiskContents {
  std::vector<std::pair<std::string, DiskMeta>> entries;
  std::vector<std::string> unreadable;  // bookkeeping records to remove
};

class DiskStore {
 public:
  // Opens (creating) the store in `dir`, its file at most `budget_bytes`.
  // Refused while another stickerd holds the directory. A store a larger
  // budget left bigger than this one starts afresh.
  static Result<std::unique_ptr<DiskStore>> open(const std::string& dir, std::size_t budget_bytes);

  DiskContents contents() const;
  DiskRead read(const std::string& key) const;
  // 0, or the LMDB or errno code that failed the write (none of it is stored).
  int write(const DiskWrite& batch);

 private:
  DiskStore() = default;

  UniqueFd owner_lock_;  // flock()ed: one daemon per directory
  LmdbEnv env_;
  MDB_dbi entries_ = 0;
  MDB_dbi meta_ = 0;
};

}  // namespace stickerd
