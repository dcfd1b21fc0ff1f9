// ClaimRead: the answers of XAUTOCLAIM and of XPENDING's extended form,
// taken out of hiredis's reply tree:
//
//   XAUTOCLAIM: [next-cursor, [[id, [field, value ...]] ...], [deleted-id ...]]
//               (the third element is Redis 7.0's: entries that were pending
//               but deleted or trimmed from the stream; 6.2 has no third)
//   XPENDING:   [[id, consumer, idle-ms, deliveries] ...]
//
// Pure; unit-tested from hand-made replies.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "master/cluster/stream_read.h"

namespace stickerd {

struct AutoClaim {
  std::string cursor;                // 0-0: the scan went round
  std::vector<StreamEntry> entries;  // claimed, now pending on the caller
  std::vector<std::string> deleted;  // pending, but gone from the stream
};

// nullopt when the reply has another shape (an error reply included).
std::optional<AutoClaim> autoclaim_answer(const std::string& stream, const redisReply& reply);

struct PendingEntry {
  std::string id;
  std::string consumer;
  std::uint64_t idle_ms = 0;
  std::uint64_t deliveries = 0;
};

// nullopt when the reply has another shape (an error reply included).
std::optional<std::vector<PendingEntry>> pending_entries(const redisReply& reply);

}  // namespace stickerd
