// ReplyWalk: the two steps every reader of a hiredis reply tree takes: a
// node's text (a bulk or status string), and an array node's items. Pure.
#pragma once

#include <hiredis/hiredis.h>

#include <optional>
#include <span>
#include <string>

namespace stickerd {

// The text of a string or status node; nullopt for any other node.
inline std::optional<std::string> reply_text(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS))
    return std::nullopt;
  return std::string(r->str, r->len);
}

// The items of an array node (none for any other node).
inline std::span<redisReply*> reply_items(const redisReply& r) {
  if (r.type != REDIS_REPLY_ARRAY) return {};
  return {r.element, r.elements};
}

}  // namespace stickerd
