// StreamRead: walking an XREAD answer (see stream_read.h).
#include "master/cluster/stream_read.h"

#include <charconv>
#include <cstdint>
#include <utility>

#include "master/cluster/reply_walk.h"

namespace stickerd {
namespace {

// "<ms>-<seq>" as a pair that orders as Redis orders ids; {0, 0} if it
// does not parse.
std::pair<std::uint64_t, std::uint64_t> id_parts(std::string_view id) {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;
  const char* end = id.data() + id.size();
  auto [p, ec] = std::from_chars(id.data(), end, ms);
  if (ec != std::errc() || p == end || *p != '-') return {0, 0};
  auto [q, ec2] = std::from_chars(p + 1, end, seq);
  if (ec2 != std::errc() || q != end) return {0, 0};
  return {ms, seq};
}

}  // namespace

bool stream_id_less(std::string_view a, std::string_view b) { return id_parts(a) < id_parts(b); }

bool append_stream_entry(const std::string& stream, const redisReply* entry,
                         std::vector<StreamEntry>& out) {
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return false;
  auto id = reply_text(entry->element[0]);
  if (!id) return false;
  StreamEntry e{stream, std::move(*id), {}};
  const redisReply* fields = entry->element[1];
  if (fields != nullptr && fields->type == REDIS_REPLY_ARRAY) {
    auto flat = reply_items(*fields);
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
      auto key = reply_text(flat[i]);
      auto value = reply_text(flat[i + 1]);
      if (!key || !value) return false;
      e.fields[std::move(*key)] = std::move(*value);
    }
  } else if (fields != nullptr && fields->type != REDIS_REPLY_NIL) {
    return false;
  }
  out.push_back(std::move(e));
  return true;
}

std::optional<std::vector<StreamEntry>> stream_entries(const redisReply& reply) {
  std::vector<StreamEntry> out;
  if (reply.type == REDIS_REPLY_NIL) return out;
  if (reply.type != REDIS_REPLY_ARRAY) return std::nullopt;
  for (const redisReply* s : reply_items(reply)) {
    if (s == nullptr || s->type != REDIS_REPLY_ARRAY || s->elements != 2) return std::nullopt;
    auto stream = reply_text(s->element[0]);
    const redisReply* entries = s->element[1];
    if (!stream || entries == nullptr || entries->type != REDIS_REPLY_ARRAY) return std::nullopt;
    for (const redisReply* entry : reply_items(*entries)) {
      if (!append_stream_entry(*stream, entry, out)) return std::nullopt;
    }
  }
  return out;
}

}  // namespace stickerd
