// ClaimRead: walking XAUTOCLAIM and XPENDING answers (see claim_read.h).
#include "master/cluster/claim_read.h"

#include "master/cluster/reply_walk.h"

namespace stickerd {
namespace {

bool is_array(const redisReply* r) { return r != nullptr && r->type == REDIS_REPLY_ARRAY; }

}  // namespace

std::optional<AutoClaim> autoclaim_answer(const std::string& stream, const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 2 || reply.elements > 3)
    return std::nullopt;
  auto cursor = reply_text(reply.element[0]);
  if (!cursor || !is_array(reply.element[1])) return std::nullopt;
  AutoClaim out{std::move(*cursor), {}, {}};
  for (const redisReply* entry : reply_items(*reply.element[1])) {
    if (!append_stream_entry(stream, entry, out.entries)) return std::nullopt;
  }
  if (reply.elements == 3) {
    if (!is_array(reply.element[2])) return std::nullopt;
    for (const redisReply* id : reply_items(*reply.element[2])) {
      auto deleted = reply_text(id);
      if (!deleted) return std::nullopt;
      out.deleted.push_back(std::move(*deleted));
    }
  }
  return out;
}

std::optional<std::vector<PendingEntry>> pending_entries(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY) return std::nullopt;
  std::vector<PendingEntry> out;
  for (const redisReply* row : reply_items(reply)) {
    if (!is_array(row) || row->elements != 4) return std::nullopt;
    auto id = reply_text(row->element[0]);
    auto consumer = reply_text(row->element[1]);
    const redisReply* idle = row->element[2];
    const redisReply* deliveries = row->element[3];
    if (!id || !consumer || idle == nullptr || idle->type != REDIS_REPLY_INTEGER ||
        deliveries == nullptr || deliveries->type != REDIS_REPLY_INTEGER || idle->integer < 0 ||
        deliveries->integer < 0) {
      return std::nullopt;
    }
    out.push_back({std::move(*id), std::move(*consumer), static_cast<std::uint64_t>(idle->integer),
                   static_cast<std::uint64_t>(deliveries->integer)});
  }
  return out;
}

}  // namespace stickerd
