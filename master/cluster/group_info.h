// GroupInfo: one consumer group's figures from an XINFO GROUPS answer, taken
// out of hiredis's reply tree. Redis 7.0 answers, per group, a flat list of
// field names and values:
//
//   [[name, stickerd, consumers, 2, pending, 0, last-delivered-id, 0-0,
//     entries-read, 12, lag, 0] ...]
//
// `lag` (entries not yet delivered to any consumer) is nil when Redis cannot
// tell (entries were deleted between the last delivered one and the end),
// and absent before 7.0. Pure; unit-tested from hand-made replies.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace stickerd {

struct GroupInfo {
  std::uint64_t consumers = 0;
  std::uint64_t pending = 0;         // delivered, not yet acknowledged
  std::optional<std::uint64_t> lag;  // not yet delivered; nullopt: unknown
};

// The figures of group `group`; nullopt when the answer has not the shape
// above (an error reply included) or names no such group.
std::optional<GroupInfo> group_info(const redisReply& reply, std::string_view group);

// The count of an integer reply (XLEN, DEL ...); nullopt for anything else.
std::optional<std::uint64_t> reply_count(const redisReply& reply);

}  // namespace stickerd
