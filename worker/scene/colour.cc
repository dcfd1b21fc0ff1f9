// Style colours: hex strings to channels.
#include "worker/scene/colour.h"

namespace stickerd::render {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Rgba> parse_colour(std::string_view text) {
  if ((text.size() != 7 && text.size() != 9) || text[0] != '#') return std::nullopt;
  double channels[4] = {0, 0, 0, 1};
  for (std::size_t i = 0; i * 2 + 1 < text.size(); ++i) {
    const int hi = hex_digit(text[1 + i * 2]);
    const int lo = hex_digit(text[2 + i * 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    channels[i] = (hi * 16 + lo) / 255.0;
  }
  return Rgba{channels[0], channels[1], channels[2], channels[3]};
}

}  // namespace stickerd::render
