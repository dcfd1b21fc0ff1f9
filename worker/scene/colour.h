// Style colours: "#RRGGBB" or "#RRGGBBAA" strings to cairo's 0..1 channels.
#pragma once

#include <optional>
#include <string_view>

namespace stickerd::render {

struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;
};

// nullopt when `text` is not a colour (the catalogue rejects those at load).
std::optional<Rgba> parse_colour(std::string_view text);

}  // namespace stickerd::render
