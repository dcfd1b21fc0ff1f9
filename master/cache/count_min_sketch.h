// CountMinSketch: how often each item was seen, estimated in fixed memory
// (width × depth counters, whatever the number of distinct items). An
// estimate is never below the true count and exceeds it by more than
// 2·total/width with probability at most 2^-depth. halve() ages every
// count at once, so old popularity fades. Pure; unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace stickerd {

class CountMinSketch {
 public:
  CountMinSketch(std::size_t width, std::size_t depth);

  // Counts one sighting of `item`; its new estimate.
  std::uint32_t add(std::string_view item);
  std::uint32_t estimate(std::string_view item) const;
  // Halves every counter (rounding down).
  void halve();

 private:
  // The counter of `item` in row `row`.
  std::size_t cell(std::uint64_t hash, std::size_t row) const;

  std::size_t width_;
  std::size_t depth_;
  std::vector<std::uint32_t> counters_;  // depth_ rows of width_
};

}  // namespace stickerd
