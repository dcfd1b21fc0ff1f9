// Comparing a picture with its reference.
#include "tests/unit/golden/image_compare.h"

#include <cstdlib>

#include <fmt/format.h>

namespace stickerd::golden {

std::string Difference::describe() const {
  return fmt::format(
      "mean channel difference {:.3f} (at most {}), {:.3f} % of pixels off by more than {} (at "
      "most "
      "{:.1f} %)",
      mean, kMaxMean, far * 100, kFarChannelDelta, kMaxFar * 100);
}

Difference compare(const ArgbImage& actual, const ArgbImage& expected) {
  std::uint64_t total = 0;
  std::size_t far = 0;
  for (std::size_t i = 0; i < actual.pixels.size(); ++i) {
    int worst = 0;
    for (int shift = 0; shift < 32; shift += 8) {
      const int a = static_cast<int>(actual.pixels[i] >> shift & 0xff);
      const int e = static_cast<int>(expected.pixels[i] >> shift & 0xff);
      const int d = std::abs(a - e);
      total += static_cast<std::uint64_t>(d);
      worst = std::max(worst, d);
    }
    far += worst > kFarChannelDelta;
  }
  const double n = static_cast<double>(actual.pixels.size());
  return Difference{static_cast<double>(total) / (n * 4), static_cast<double>(far) / n};
}

}  // namespace stickerd::golden
