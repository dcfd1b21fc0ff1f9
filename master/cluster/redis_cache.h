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
// A miss is then claimed (`SET stickerd:rendering:<key> <node> NX PX`): the
// node that gets the claim renders, the others wait for its cache entry
// (Dispatcher::poll_cluster_flights), so identical requests on different
// nodes cause one render, as the single flight does within a node. The claim
// and a look at the entry are one script: a node whose lookup missed just
// before another stored the sticker and let go of its claim gets that
// sticker, not the claim.
//
// Every call is asynchronous on the link; while it is down a lookup is a
// miss at once and a store is skipped. A lookup whose answer never comes
// (the connection went first) is given up on by its caller.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "master/cluster/redis_link.h"
#include "stickerd.pb.h"

namespace stickerd {

class RedisCache {
 public:
  using Found = std::function<void(std::optional<v1::Sticker>)>;
  // A claim's answer: the sticker, when one is stored by now; otherwise
  // whether this node is to render it.
  struct Claim {
    std::optional<v1::Sticker> stored;
    bool mine = false;
  };
  using Claimed = std::function<void(Claim)>;

  // A day: long enough to serve a text's regulars, short enough that a
  // renderer upgrade's old stickers age out (keys also change with it).
  static constexpr std::uint64_t kTtlSeconds = 24 * 60 * 60;

  // How long a node's claim on rendering a key holds (a shared
  // single-flight): longer than a render, with its wait in the cluster's
  // queue. A claim that runs out only lets another node render it too.
  static constexpr std::uint64_t kClaimMs = 15000;

  RedisCache(RedisLink& link, std::string node) : link_(link), node_(std::move(node)) {}
  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  // Starts reading `key`; `found` runs later with the sticker, or nullopt
  // for a miss or a refused entry. False (nothing sent, `found` never runs)
  // while the link is down.
  bool lookup(const std::string& key, Found found);
  // Claims the render of `key` for this node (`SET ... NX PX kClaimMs`)
  // unless its sticker is stored by now, so identical requests on other
  // nodes wait for its result instead of rendering too. `done` gets the
  // stored sticker, or `mine` when this node is to render it (it got the
  // claim, the stored entry was refused, or Redis answered an error), or
  // neither while another node holds the claim. False (nothing sent, `done`
  // never runs) while the link is down.
  bool claim(const std::string& key, Claimed done);
  // Stores `sticker` under `key` in the background, and gives up this
  // node's claim on it; skipped while the link is down.
  void store(const std::string& key, const v1::Sticker& sticker);
  // Gives up the claim on `key` without a sticker (the render failed).
  void release(const std::string& key);

 private:
  RedisLink& link_;
  std::string node_;
};

}  // namespace stickerd
