// NodeRecord: what a node says about itself in the node registry, the value
// of its key stickerd:node:<name> (written with a lease, PX, on every
// heartbeat; deleted when it stops; expired when it dies).
//
// Its name is also kept in the index stickerd:nodes (below).
//
// The value is one line of `key=value` words, so `redis-cli GET` reads it
// and a newer node can add words an older one skips:
//
//   total=4 idle=1 busy=3 queue=0 completed=1234 reclaimed=2 dead=0 at=1765075200123
//
// `at` is the writer's wall clock in ms since the epoch. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stickerd {

struct NodeRecord {
  std::uint32_t total_workers = 0;
  std::uint32_t idle_workers = 0;
  std::uint32_t busy_workers = 0;
  std::uint32_t queue_size = 0;
  std::uint64_t tasks_completed = 0;
  std::uint64_t reclaimed = 0;      // entries this run took over from silent nodes
  std::uint64_t dead_lettered = 0;  // entries this run put on the dead-letter stream
  std::uint64_t written_at_ms = 0;  // wall clock, ms since the epoch

  bool operator==(const NodeRecord&) const = default;
};

namespace registry {

// Every node's key starts with this; the rest is its --node-name.
inline constexpr std::string_view kNodeKeyPrefix = "stickerd:node:";
// How long a node's entry outlives its last write: a few heartbeats, so a
// node that misses one is not dropped, and a dead one is gone in seconds.
inline constexpr std::uint64_t kLeaseMs = 5'000;

// A sorted set of the names that wrote an entry lately (score: the writer's
// wall clock), so a reader finds the keys without a SCAN of the whole
// keyspace. Whether a node is live is its key's lease, not its score (clocks
// differ); a name not written for kIndexForgetMs leaves the index.
inline constexpr std::string_view kNodeIndexKey = "stickerd:nodes";
inline constexpr std::uint64_t kIndexForgetMs = 3'600'000;

// Forgets the names not written since ARGV[1] (wall ms) and deletes their
// reply streams (key prefix ARGV[2]): a node gone for good leaves nothing
// behind. A script, so that a name written again meanwhile is neither
// dropped nor has its fresh replies deleted. KEYS[1]: the index.
inline constexpr std::string_view kForgetScript =
    "local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1]) "
    "for _, name in ipairs(gone) do redis.call('DEL', ARGV[2] .. name) end "
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1]) "
    "return #gone";

inline std::string node_key(std::string_view node) {
  return std::string(kNodeKeyPrefix) + std::string(node);
}

}  // namespace registry

std::string encode(const NodeRecord& record);
// nullopt when `value` is not a record (no `at`, or a number that does not
// parse); unknown words are skipped.
std::optional<NodeRecord> decode_node_record(std::string_view value);

}  // namespace stickerd
