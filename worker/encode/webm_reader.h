// A WebM file read back with libwebm's webm_parser into what the validator
// checks and the tests decode: the tracks, and each video frame with its
// alpha BlockAdditional.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace stickerd::encode {

struct WebmReadFrame {
  std::string colour;
  std::string alpha;  // BlockAdditional id 1; empty when the block has none
  bool key = false;
  std::int64_t time_ms = 0;
};

struct WebmContents {
  std::string doc_type;
  double duration_ms = 0;  // the Info's Duration; 0 when absent
  int video_tracks = 0;
  int audio_tracks = 0;
  int other_tracks = 0;
  std::string codec_id;  // of the (last) video track
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint64_t alpha_mode = 0;
  std::uint64_t default_duration_ns = 0;
  std::vector<WebmReadFrame> frames;
};

// INVALID_ARGUMENT when the bytes are not a complete WebM file.
Result<WebmContents> read_webm(std::string_view bytes);

}  // namespace stickerd::encode
