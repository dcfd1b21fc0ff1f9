// LMDB handles with owners: the environment, a transaction (aborted unless
// committed) and a cursor, so no error path leaks one or leaves a write
// transaction holding LMDB's writer lock.
#pragma once

#include <lmdb.h>

#include <memory>
#include <utility>

namespace stickerd {

struct LmdbEnvClose {
  void operator()(MDB_env* env) const { mdb_env_close(env); }
};
using LmdbEnv = std::unique_ptr<MDB_env, LmdbEnvClose>;

class LmdbTxn {
 public:
  // Begins a transaction (flags: MDB_RDONLY or 0); check rc() before use.
  LmdbTxn(MDB_env* env, unsigned flags) { rc_ = mdb_txn_begin(env, nullptr, flags, &txn_); }
  LmdbTxn(const LmdbTxn&) = delete;
  LmdbTxn& operator=(const LmdbTxn&) = delete;
  ~LmdbTxn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }

  int rc() const { return rc_; }
  MDB_txn* get() const { return txn_; }
  // Commits; the transaction is gone whatever the outcome.
  int commit() { return mdb_txn_commit(std::exchange(txn_, nullptr)); }

 private:
  MDB_txn* txn_ = nullptr;
  int rc_ = 0;
};

class LmdbCursor {
 public:
  LmdbCursor(const LmdbTxn& txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn.get(), dbi, &cursor_); }
  LmdbCursor(const LmdbCursor&) = delete;
  LmdbCursor& operator=(const LmdbCursor&) = delete;
  ~LmdbCursor() {
    if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  }

  int rc() const { return rc_; }
  MDB_cursor* get() const { return cursor_; }

 private:
  MDB_cursor* cursor_ = nullptr;
  int rc_ = 0;
};

}  // namespace stickerd
