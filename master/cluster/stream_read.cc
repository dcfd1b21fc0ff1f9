// StreamRead: walking an XREAD answer (see stream_read.h).
#include "master/cluster/stream_read.h"

#include <span>

namespace stickerd {
namespace {

std::optional<std::string> text(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS))
    return std::nullopt;
  return std::string(r->str, r->len);
}

std::span<redisReply*> items(const redisReply& r) { return {r.element, r.elements}; }

// One [id, [field, value ...]] pair of `stream`, appended to `out`.
bool read_entry(const std::string& stream, const redisReply* entry, std::vector<StreamEntry>& out) {
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return false;
  auto id = text(entry->element[0]);
  if (!id) return false;
  StreamEntry e{stream, std::move(*id), {}};
  const redisReply* fields = entry->element[1];
  if (fields != nullptr && fields->type == REDIS_REPLY_ARRAY) {
    auto flat = items(*fields);
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
      auto key = text(flat[i]);
      auto value = text(flat[i + 1]);
      if (!key || !value) return false;
      e.fields[std::move(*key)] = std::move(*value);
    }
  } else if (fields != nullptr && fields->type != REDIS_REPLY_NIL) {
    return false;
  }
  out.push_back(std::move(e));
  return true;
}

}  // namespace

std::optional<std::vector<StreamEntry>> stream_entries(const redisReply& reply) {
  std::vector<StreamEntry> out;
  if (reply.type == REDIS_REPLY_NIL) return out;
  if (reply.type != REDIS_REPLY_ARRAY) return std::nullopt;
  for (const redisReply* s : items(reply)) {
    if (s == nullptr || s->type != REDIS_REPLY_ARRAY || s->elements != 2) return std::nullopt;
    auto stream = text(s->element[0]);
    const redisReply* entries = s->element[1];
    if (!stream || entries == nullptr || entries->type != REDIS_REPLY_ARRAY) return std::nullopt;
    for (const redisReply* entry : items(*entries)) {
      if (!read_entry(*stream, entry, out)) return std::nullopt;
    }
  }
  return out;
}

}  // namespace stickerd
