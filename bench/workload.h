// The sticker-v0 workload (/work/shared/research/perf-anchors.md): the texts
// every bench binary renders, so their figures compare.
#pragma once

#include <array>
#include <string_view>

namespace stickerd::bench {

// Sticker k of a run uses text k mod 4.
inline constexpr std::array<std::string_view, 4> kTexts = {
    "Hello", "Привет, мир!", "stickerd is fast", "Animated Sticker Bot 🎉"};

}  // namespace stickerd::bench
