// DiskStore: LMDB calls, run off the loop.
#include "master/cache/disk_store.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

namespace stickerd {
namespace {

MDB_val as_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};  // LMDB's C API takes non-const
}

std::string_view as_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

Error store_error(const std::string& dir, std::string_view what, int rc) {
  return make_error(v1::INTERNAL, fmt::format("{}: {}: {}", dir, what, mdb_strerror(rc)));
}

}  // namespace

Result<std::unique_ptr<DiskStore>> DiskStore::open(const std::string& dir,
                                                   std::size_t budget_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return store_error(dir, "cannot create the directory", ec.value());
  std::unique_ptr<DiskStore> store(new DiskStore());
  store->owner_lock_.reset(
      ::open((dir + "/owner.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!store->owner_lock_.valid()) return store_error(dir, "cannot open owner.lock", errno);
  if (::flock(store->owner_lock_.get(), LOCK_EX | LOCK_NB) != 0) {
    return store_error(dir, "another process holds owner.lock", errno);
  }
  // The map cannot shrink below its file: a store from a larger budget goes.
  const fs::path data = fs::path(dir) / "data.mdb";
  if (fs::exists(data, ec) && fs::file_size(data, ec) > budget_bytes) {
    fs::remove(data, ec);
    fs::remove(fs::path(dir) / "lock.mdb", ec);
  }
  MDB_env* env = nullptr;
  if (int rc = mdb_env_create(&env); rc != 0) return store_error(dir, "mdb_env_create", rc);
  store->env_.reset(env);
  // MDB_NOTLS: reads run on whichever threadpool thread is free.
  // MDB_NOMETASYNC: a power cut may lose the last write, never the store.
  if (int rc = mdb_env_set_mapsize(env, budget_bytes); rc != 0) {
    return store_error(dir, "mdb_env_set_mapsize", rc);
  }
  if (int rc = mdb_env_set_maxdbs(env, 2); rc != 0)
    return store_error(dir, "mdb_env_set_maxdbs", rc);
  if (int rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS | MDB_NOMETASYNC, 0600); rc != 0) {
    return store_error(dir, "mdb_env_open", rc);
  }
  // LMDB opens the data file without O_CLOEXEC: a worker spawned later
  // would inherit it, writable, past its sandbox, and could forge entries.
  if (mdb_filehandle_t fd = -1; mdb_env_get_fd(env, &fd) == 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  LmdbTxn txn(env, 0);
  if (txn.rc() != 0) return store_error(dir, "mdb_txn_begin", txn.rc());
  if (int rc = mdb_dbi_open(txn.get(), "entries", MDB_CREATE, &store->entries_); rc != 0) {
    return store_error(dir, "mdb_dbi_open entries", rc);
  }
  if (int rc = mdb_dbi_open(txn.get(), "meta", MDB_CREATE, &store->meta_); rc != 0) {
    return store_error(dir, "mdb_dbi_open meta", rc);
  }
  if (int rc = txn.commit(); rc != 0) return store_error(dir, "mdb_txn_commit", rc);
  return store;
}

DiskContents DiskStore::contents() const {
  DiskContents found;
  LmdbTxn txn(env_.get(), MDB_RDONLY);
  if (txn.rc() != 0) return found;
  LmdbCursor cursor(txn, meta_);
  if (cursor.rc() != 0) return found;
  MDB_val key{};
  MDB_val value{};
  for (int rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_NEXT)) {
    std::string k(as_view(key));
    if (auto meta = decode_meta(as_view(value))) {
      found.entries.emplace_back(std::move(k), *meta);
    } else {
      found.unreadable.push_back(std::move(k));
    }
  }
  return found;
}

DiskRead DiskStore::read(const std::string& key) const {
  DiskRead read;
  LmdbTxn txn(env_.get(), MDB_RDONLY);
  MDB_val k = as_val(key);
  MDB_val value{};
  const int rc = txn.rc() != 0 ? txn.rc() : mdb_get(txn.get(), entries_, &k, &value);
  if (rc == MDB_NOTFOUND) return read;
  if (rc != 0) {
    read.outcome = DiskRead::Outcome::kRefused;
    read.problem = mdb_strerror(rc);
    return read;
  }
  auto sticker = decode_entry(key, as_view(value));
  if (!sticker) {
    read.outcome = DiskRead::Outcome::kRefused;
    read.problem = sticker.error().message;
    return read;
  }
  read.outcome = DiskRead::Outcome::kHit;
  read.sticker = std::move(*sticker);
  return read;
}

int DiskStore::write(const DiskWrite& batch) {
  LmdbTxn txn(env_.get(), 0);
  if (txn.rc() != 0) return txn.rc();
  for (const DiskPut& put : batch.puts) {
    const std::string entry = encode_entry(put.key, put.sticker);
    const std::string meta = encode_meta(put.meta);
    MDB_val k = as_val(put.key);
    MDB_val e = as_val(entry);
    MDB_val m = as_val(meta);
    if (int rc = mdb_put(txn.get(), entries_, &k, &e, 0); rc != 0) return rc;
    if (int rc = mdb_put(txn.get(), meta_, &k, &m, 0); rc != 0) return rc;
  }
  for (const auto& [key, meta] : batch.metas) {
    MDB_val k = as_val(key);
    MDB_val present{};
    // The entry may have been refused or evicted since it was asked for.
    if (mdb_get(txn.get(), entries_, &k, &present) != 0) continue;
    const std::string record = encode_meta(meta);
    MDB_val m = as_val(record);
    if (int rc = mdb_put(txn.get(), meta_, &k, &m, 0); rc != 0) return rc;
  }
  for (const std::string& key : batch.deletes) {
    MDB_val k = as_val(key);
    for (MDB_dbi dbi : {entries_, meta_}) {
      if (int rc = mdb_del(txn.get(), dbi, &k, nullptr); rc != 0 && rc != MDB_NOTFOUND) return rc;
    }
  }
  return txn.commit();
}

}  // namespace stickerd
