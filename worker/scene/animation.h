// Animation as a pure function: for frame i of a loop, a pose per unit, a pose
// for the whole text and per-frame colour changes. Raster frames and TGS
// keyframes both sample it, so the two forms of a style move alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "style.pb.h"
#include "worker/scene/colour.h"

namespace stickerd::render {

// A transform about a pivot (a unit's centre, or the canvas centre for the
// whole text): scale, then rotate, then move.
struct Pose {
  double dx = 0, dy = 0;  // px
  double scale = 1;
  double rotate = 0;  // degrees, clockwise
  double opacity = 1;
  std::optional<Rgba> colour;  // replaces the style's fill
};

struct FrameLook {
  Pose whole;
  std::vector<Pose> units;
  double glitch_dx = 0;  // 0: no glitch copies; else red/cyan copies at -dx / +dx
  double glow_opacity = 1;
};

struct Timing {
  std::uint32_t frames = 1;
  std::uint32_t frame_ms = 0;
  std::uint32_t loop_ms() const { return frames * frame_ms; }
};

bool is_animated(const v1::StyleSpec& style);
// The style's frames and frame duration with defaults applied (1 frame if still).
Timing timing(const v1::StyleSpec& style);
// True when the motion jumps between frames (typewriter, flicker, shake,
// glitch): TGS keyframes then hold instead of interpolating.
bool is_stepped(v1::AnimationType type);

// A seed from the text and the style, so "random" motion repeats exactly.
std::uint64_t animation_seed(std::string_view text, const v1::StyleSpec& style);

// The look of frame `frame` of `frames` (frame 0 always shows the whole text).
FrameLook look_at(const v1::StyleSpec& style, std::uint32_t frame, std::uint32_t frames,
                  std::size_t unit_count, std::uint64_t seed);

}  // namespace stickerd::render
