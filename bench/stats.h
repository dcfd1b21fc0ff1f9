// Sample statistics for the benchmarks: percentiles, median and spread.
// Header-only and pure so every bench binary reports figures the same way.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace stickerd::bench {

// Nearest-rank percentile of `sorted` (ascending), p in [0, 100].
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

struct Summary {
  double median = 0, min = 0, max = 0, p25 = 0, p75 = 0;
};

inline Summary summarise(std::vector<double> v) {
  Summary s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.p25 = percentile(v, 25);
  s.p75 = percentile(v, 75);
  const std::size_t n = v.size();
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return s;
}

}  // namespace stickerd::bench
