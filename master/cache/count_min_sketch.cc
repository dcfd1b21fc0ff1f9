// CountMinSketch: one 64-bit hash split in two, combined per row
// (Kirsch and Mitzenmacher), so a sighting costs one pass over the item.
#include "master/cache/count_min_sketch.h"

#include <algorithm>
#include <limits>

namespace stickerd {
namespace {

// FNV-1a: stable across runs and hosts, unlike std::hash.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

CountMinSketch::CountMinSketch(std::size_t width, std::size_t depth)
    : width_(std::max<std::size_t>(width, 1)),
      depth_(std::max<std::size_t>(depth, 1)),
      counters_(width_ * depth_, 0) {}

std::size_t CountMinSketch::cell(std::uint64_t hash, std::size_t row) const {
  const std::uint64_t h1 = hash & 0xffffffffu;
  const std::uint64_t h2 = (hash >> 32) | 1;  // odd, so rows differ
  return row * width_ + static_cast<std::size_t>((h1 + row * h2) % width_);
}

std::uint32_t CountMinSketch::add(std::string_view item) {
  const std::uint64_t hash = fnv1a(item);
  std::uint32_t smallest = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t row = 0; row < depth_; ++row) {
    std::uint32_t& c = counters_[cell(hash, row)];
    if (c < std::numeric_limits<std::uint32_t>::max()) ++c;
    smallest = std::min(smallest, c);
  }
  return smallest;
}

std::uint32_t CountMinSketch::estimate(std::string_view item) const {
  const std::uint64_t hash = fnv1a(item);
  std::uint32_t smallest = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t row = 0; row < depth_; ++row) {
    smallest = std::min(smallest, counters_[cell(hash, row)]);
  }
  return smallest;
}

void CountMinSketch::halve() {
  for (std::uint32_t& c : counters_) c /= 2;
}

}  // namespace stickerd
