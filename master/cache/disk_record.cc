// DiskRecord: entry and bookkeeping bytes, checked with zlib's CRC-32.
#include "master/cache/disk_record.h"

#include <zlib.h>

namespace stickerd {
namespace {

constexpr std::string_view kMagic = "SKD1";
constexpr std::size_t kMetaBytes = 16;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
  put_u32(out, static_cast<std::uint32_t>(v));
  put_u32(out, static_cast<std::uint32_t>(v >> 32));
}

std::uint32_t get_u32(std::string_view in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

std::uint32_t crc_of(std::string_view key, std::string_view payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto add = [&crc](std::string_view s) {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size()));
  };
  add(key);
  add(payload);
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

std::string encode_entry(std::string_view key, const v1::Sticker& sticker) {
  const std::string payload = sticker.SerializeAsString();
  std::string out(kMagic);
  out.reserve(kEntryHeaderBytes + payload.size());
  put_u32(out, crc_of(key, payload));
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  out += payload;
  return out;
}

Result<v1::Sticker> decode_entry(std::string_view key, std::string_view bytes) {
  if (bytes.size() < kEntryHeaderBytes || bytes.substr(0, kMagic.size()) != kMagic) {
    return make_error(v1::INTERNAL, "its header is not a stickerd disk-cache entry");
  }
  const std::string_view payload = bytes.substr(kEntryHeaderBytes);
  if (get_u32(bytes, 8) != payload.size()) {
    return make_error(v1::INTERNAL, "its length does not match its header (a torn write?)");
  }
  if (get_u32(bytes, 4) != crc_of(key, payload)) {
    return make_error(v1::INTERNAL, "its CRC-32 does not match its bytes");
  }
  v1::Sticker sticker;
  if (!sticker.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return make_error(v1::INTERNAL, "its checksum holds but it does not parse as a sticker");
  }
  return sticker;
}

std::string encode_meta(const DiskMeta& meta) {
  std::string out;
  out.reserve(kMetaBytes);
  put_u64(out, meta.stamp);
  put_u32(out, meta.hits);
  put_u32(out, meta.charge);
  return out;
}

std::optional<DiskMeta> decode_meta(std::string_view bytes) {
  if (bytes.size() != kMetaBytes) return std::nullopt;
  DiskMeta meta;
  meta.stamp = get_u32(bytes, 0) | (static_cast<std::uint64_t>(get_u32(bytes, 4)) << 32);
  meta.hits = get_u32(bytes, 8);
  meta.charge = get_u32(bytes, 12);
  return meta;
}

}  // namespace stickerd
