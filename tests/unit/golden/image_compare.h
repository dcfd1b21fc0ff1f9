// How far a rendered picture is from its golden reference, and the tolerance
// that separates machine noise from a real change.
//
// Two numbers, over premultiplied channels (0-255) of same-sized pictures:
//   mean    the mean absolute difference over every channel of every pixel;
//   far     the fraction of pixels where some channel differs by more than
//           kFarChannelDelta.
// Noise (anti-aliasing of a glyph edge, a lossy encoder rounding differently)
// moves many pixels a little and few a lot; a wrong colour or a text moved by
// a couple of pixels moves many pixels a lot.
#pragma once

#include <string>

#include "tests/unit/golden/argb_image.h"

namespace stickerd::golden {

inline constexpr int kFarChannelDelta = 48;
inline constexpr double kMaxMean = 1.5;
inline constexpr double kMaxFar = 0.004;  // 0.4 % of the pixels: ~260 of 256x256

struct Difference {
  double mean = 0;
  double far = 0;
  bool within_tolerance() const { return mean <= kMaxMean && far <= kMaxFar; }
  std::string describe() const;
};

// The pictures must have the same size (a different size is a failure the
// caller reports before comparing).
Difference compare(const ArgbImage& actual, const ArgbImage& expected);

}  // namespace stickerd::golden
