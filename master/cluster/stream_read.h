// StreamRead: the entries of an XREAD or XREADGROUP answer, taken out of
// hiredis's reply tree:
//
//   [[stream, [[id, [field, value, field, value ...]] ...]] ...]
//
// or nil when nothing was there. An entry deleted while it was pending
// comes back with nil fields; it is returned with no fields, so the reader
// can acknowledge it and move on. Pure; unit-tested from hand-made replies.
#pragma once

#include <hiredis/hiredis.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stickerd {

struct StreamEntry {
  std::string stream;
  std::string id;
  std::map<std::string, std::string> fields;
};

// nullopt when the reply does not have the shape above (an error reply
// included): the caller logs it and reads again later.
std::optional<std::vector<StreamEntry>> stream_entries(const redisReply& reply);

// One [id, [field, value ...]] pair of `stream` (nil fields: a deleted
// entry, no fields), appended to `out`; false when it has another shape.
bool append_stream_entry(const std::string& stream, const redisReply* entry,
                         std::vector<StreamEntry>& out);

// Whether stream id `a` ("<ms>-<seq>") comes before `b`. An id that does
// not parse comes before every other (as "0-0" would).
bool stream_id_less(std::string_view a, std::string_view b);

}  // namespace stickerd
