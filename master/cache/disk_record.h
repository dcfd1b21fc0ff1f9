// DiskRecord: the bytes of one disk-cache entry and of its bookkeeping
// record, as the LMDB store (disk_store.h) keeps them.
//
// An entry is a fixed header, then the Sticker message:
//   "SKD1" | CRC-32 of key and payload (u32 LE) | payload length (u32 LE) | payload
// The CRC covers the key too, so a torn write, a flipped bit or an entry
// filed under another key all fail decode_entry(): such bytes are never
// served. The bookkeeping record (DiskMeta) is what eviction needs after a
// restart. Pure: no I/O; unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "stickerd.pb.h"

namespace stickerd {

inline constexpr std::size_t kEntryHeaderBytes = 12;

// `sticker` as an entry stored under `key`.
std::string encode_entry(std::string_view key, const v1::Sticker& sticker);
// The sticker of an entry read under `key`; an INTERNAL error saying why the
// bytes are refused (one sentence, for the log) when they fail the check.
Result<v1::Sticker> decode_entry(std::string_view key, std::string_view bytes);

// What eviction knows of an entry (disk_index.h), kept beside it so a
// restart keeps recency and popularity.
struct DiskMeta {
  std::uint64_t stamp = 0;   // recency: a logical clock that runs across restarts
  std::uint32_t hits = 0;    // times it was asked for after it was stored
  std::uint32_t charge = 0;  // bytes of the budget it takes (DiskIndex::charge)
  bool operator==(const DiskMeta&) const = default;
};

std::string encode_meta(const DiskMeta& meta);
// nullopt when `bytes` is not a record encode_meta() wrote.
std::optional<DiskMeta> decode_meta(std::string_view bytes);

}  // namespace stickerd
