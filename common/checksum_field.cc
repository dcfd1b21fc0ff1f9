// checksum_field: a little-endian 4-byte length, then the bytes.
#include "common/checksum_field.h"

#include <cstdint>

namespace stickerd {

void checksum_field(GChecksum* sum, std::string_view field) {
  const auto n = static_cast<std::uint32_t>(field.size());
  const unsigned char len[4] = {static_cast<unsigned char>(n), static_cast<unsigned char>(n >> 8),
                                static_cast<unsigned char>(n >> 16),
                                static_cast<unsigned char>(n >> 24)};
  g_checksum_update(sum, len, sizeof len);
  g_checksum_update(sum, reinterpret_cast<const guchar*>(field.data()),
                    static_cast<gssize>(field.size()));
}

}  // namespace stickerd
