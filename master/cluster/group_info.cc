// GroupInfo: walking an XINFO GROUPS answer (see group_info.h).
#include "master/cluster/group_info.h"

#include <span>
#include <string>

namespace stickerd {
namespace {

std::optional<std::string_view> text(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS))
    return std::nullopt;
  return std::string_view(r->str, r->len);
}

}  // namespace

std::optional<std::uint64_t> reply_count(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_INTEGER || reply.integer < 0) return std::nullopt;
  return static_cast<std::uint64_t>(reply.integer);
}

std::optional<GroupInfo> group_info(const redisReply& reply, std::string_view group) {
  if (reply.type != REDIS_REPLY_ARRAY) return std::nullopt;
  for (const redisReply* g : std::span<redisReply*>(reply.element, reply.elements)) {
    if (g == nullptr || g->type != REDIS_REPLY_ARRAY) return std::nullopt;
    std::span<redisReply*> fields(g->element, g->elements);
    GroupInfo info;
    bool named = false;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      const auto key = text(fields[i]);
      if (!key) return std::nullopt;
      const redisReply* value = fields[i + 1];
      if (value == nullptr) return std::nullopt;
      if (*key == "name") {
        named = text(value) == group;
      } else if (*key == "consumers" || *key == "pending") {
        const auto n = reply_count(*value);
        if (!n) return std::nullopt;
        (*key == "pending" ? info.pending : info.consumers) = *n;
      } else if (*key == "lag") {
        info.lag = reply_count(*value);  // nil: unknown
      }
    }
    if (named) return info;
  }
  return std::nullopt;
}

}  // namespace stickerd
