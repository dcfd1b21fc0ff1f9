// UTF-8 validation for request text (before it reaches pango, which would
// silently replace bad bytes).
#pragma once

#include <cstddef>
#include <string_view>

namespace stickerd {

// True when `s` is well-formed UTF-8: no overlong forms, no surrogates, no
// code points above U+10FFFF, no truncated sequences.
bool is_valid_utf8(std::string_view s);

// Number of code points in well-formed UTF-8 `s`.
std::size_t utf8_length(std::string_view s);

}  // namespace stickerd
