// A WebM file of one VP9 video track whose alpha rides in each block's
// BlockAdditional (id 1) with the track's AlphaMode set: the layout
// Telegram's, Chrome's and ffmpeg's players read VP9 alpha from. Written here
// because Debian 12's libwebm-dev ships no mkvmuxer headers; the file is
// small and whole in memory, so every element's size is known when written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stickerd::encode {

struct WebmFrame {
  std::string colour;  // a VP9 frame
  std::string alpha;   // a VP9 frame of the alpha plane; empty: none (tests)
  bool key = false;
  std::uint32_t time_ms = 0;
};

struct WebmTrack {
  int width = 0;
  int height = 0;
  std::uint32_t frame_ms = 0;     // each frame's duration (DefaultDuration)
  std::uint32_t duration_ms = 0;  // the whole loop
  bool alpha = true;              // AlphaMode 1
};

std::string webm_file(const WebmTrack& track, const std::vector<WebmFrame>& frames);

}  // namespace stickerd::encode
