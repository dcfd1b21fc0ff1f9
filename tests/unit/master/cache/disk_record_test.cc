// DiskRecord: an entry reads back only under its own key and intact.
#include "master/cache/disk_record.h"

#include <doctest/doctest.h>

namespace stickerd {
namespace {

v1::Sticker sample() {
  v1::Sticker s;
  s.set_data(std::string("RIFF\0\0\0\0WEBPVP8 ", 16) + std::string(500, 'p'));
  s.set_mime_type("image/webp");
  s.set_style_id("classic");
  s.set_width(512);
  return s;
}

}  // namespace

TEST_CASE("an entry decodes to the sticker it was made from") {
  const std::string bytes = encode_entry("k1", sample());
  CHECK(bytes.size() == kEntryHeaderBytes + sample().ByteSizeLong());
  auto back = decode_entry("k1", bytes);
  REQUIRE(back.ok());
  CHECK(back->SerializeAsString() == sample().SerializeAsString());
}

TEST_CASE("every flipped byte of an entry is refused") {
  const std::string bytes = encode_entry("k1", sample());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    CHECK_MESSAGE(!decode_entry("k1", bad).ok(), "byte ", i);
  }
}

TEST_CASE("a torn, empty or misfiled entry is refused") {
  const std::string bytes = encode_entry("k1", sample());
  CHECK(!decode_entry("k1", bytes.substr(0, bytes.size() - 1)).ok());
  CHECK(!decode_entry("k1", bytes + "x").ok());
  CHECK(!decode_entry("k1", "").ok());
  CHECK(!decode_entry("k1", bytes.substr(0, kEntryHeaderBytes - 1)).ok());
  const auto misfiled = decode_entry("k2", bytes);
  REQUIRE(!misfiled.ok());
  CHECK(misfiled.error().message.find("CRC-32") != std::string::npos);
}

TEST_CASE("a bookkeeping record round-trips and refuses other sizes") {
  const DiskMeta meta{.stamp = (1ull << 40) + 7, .hits = 3, .charge = 8192};
  CHECK(decode_meta(encode_meta(meta)) == meta);
  CHECK(!decode_meta(encode_meta(meta) + "x"));
  CHECK(!decode_meta(""));
}

}  // namespace stickerd
