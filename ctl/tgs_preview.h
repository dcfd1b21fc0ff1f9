// A browser can show neither a TGS nor a Lottie file in <img>, so the gallery
// plays each TGS with rlottie (the renderer Telegram's apps use) and writes
// what it draws as an animated WebP next to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace stickerd::ctl {

// The frames of a TGS as premultiplied ARGB32 (cairo's layout), `size` px square.
struct TgsFrames {
  int size = 0;
  std::uint32_t frame_ms = 0;  // how long each kept frame shows
  std::vector<std::vector<std::uint32_t>> frames;
};

// Plays the gzipped Lottie in `tgs`, keeping every `step`th frame.
Result<TgsFrames> play_tgs(std::string_view tgs, int size, std::uint32_t step);

// The preview: the TGS at 256 px and 20 fps as a looping animated WebP.
Result<std::string> tgs_preview_webp(std::string_view tgs);

}  // namespace stickerd::ctl
