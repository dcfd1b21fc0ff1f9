// StreamWaiter: a node's second connection to the cluster's Redis, which
// waits in `XREAD BLOCK` for entries newer than the ids it is given, so a
// task another node adds, or a reply to this node, is seen as it lands
// instead of at the next poll.
//
// Why a second connection: Redis serves a connection's commands in order,
// so a blocking read on the node's link (RedisLink) would hold back every
// XADD and XACK behind it. This connection carries nothing but the blocking
// reads (and its own heartbeat, which waits at most one block behind them).
// It has the link's handshake, heartbeat and reconnects, because it is one
// (a RedisLink of its own). While it is down the node polls as it would
// without it (WorkSharing), so its loss costs latency, never an entry.
//
// One read is out at a time; its answer (entries, or nil when the block
// ran out) goes to the owner, which moves its ids on, and the next read
// follows at once with the ids asked afresh. Ids only move past entries
// some answer showed, so nothing added between two reads is missed. A read
// Redis refuses (a key of another type) makes the waiter down, as a lost
// connection does, until a read tried again kBlockMs later succeeds.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "master/cluster/redis_link.h"
#include "master/config/redis_url.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

class StreamWaiter {
 public:
  // How long one read blocks in Redis before it is sent again. It bounds
  // how long the connection's heartbeat waits behind it (LinkWatch gives a
  // question kLostAfterMs).
  static constexpr std::uint64_t kBlockMs = 1'000;
  // The most entries one read returns per stream; more come with the next.
  static constexpr unsigned kCount = 64;

  // The streams to wait on, each with the id its entries must be newer than.
  using CursorsFn = std::function<std::vector<std::pair<std::string, std::string>>()>;
  // Redis's answer to one read: entries, nil (the block ran out) or an error.
  using AnswerFn = std::function<void(const redisReply&)>;

  // `on_change` is told when the connection comes and goes, as RedisLink's is.
  StreamWaiter(uv_loop_t* loop, RedisUrl url, CursorsFn cursors, AnswerFn on_answer,
               RedisLink::StateFn on_change);
  StreamWaiter(const StreamWaiter&) = delete;
  StreamWaiter& operator=(const StreamWaiter&) = delete;

  void start();
  void close();
  // Whether reads are waiting: the owner need not poll.
  bool up() const { return up_; }

 private:
  void link_changed(RedisState state);
  void read();
  void answered(const redisReply& reply);
  void set_up(bool up);

  CursorsFn cursors_;
  AnswerFn on_answer_;
  RedisLink::StateFn on_change_;
  uv_loop_t* loop_;
  RedisLink link_;
  std::uint64_t generation_ = 0;  // bumped on every connection change: old answers are dropped
  bool up_ = false;
  UvHandle<uv_timer_t> retry_;  // a refused read is tried again
};

}  // namespace stickerd
