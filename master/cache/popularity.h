// Popularity: which texts, and which (text, style) pairs, are asked for
// most, in bounded memory: a count-min sketch for each, and the top texts.
//
//  * It never holds more than `max_texts` texts, whatever the traffic.
//  * Every `half_life` sightings every count halves, so what was popular
//    yesterday gives way to what is popular now.
//  * Texts are the operator's users' data: they leave only through the
//    control socket (`stickerctl cache top`), never in a metric label.
// Pure: no I/O, no clock (age is counted in sightings); unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "master/cache/count_min_sketch.h"

namespace stickerd {

struct PopularText {
  std::string text;
  std::uint32_t count = 0;  // estimated sightings, decayed
};

struct PopularityLimits {
  std::size_t max_texts = 100;
  std::size_t width = 4096;  // sketch counters per row: 4 × 4096 × 4 B = 64 KiB a sketch
  std::size_t depth = 4;
  std::uint64_t half_life = 100'000;  // sightings between halvings
};

class Popularity {
 public:
  explicit Popularity(PopularityLimits limits = {});

  // One request for `text` in style `style_id`.
  void observe(std::string_view text, std::string_view style_id);
  std::uint32_t text_count(std::string_view text) const { return texts_.estimate(text); }
  std::uint32_t pair_count(std::string_view text, std::string_view style_id) const;
  // The most asked-for texts, most first, at most `n`.
  std::vector<PopularText> top(std::size_t n) const;

 private:
  void halve();

  PopularityLimits limits_;
  CountMinSketch texts_;
  CountMinSketch pairs_;
  std::vector<PopularText> top_;  // in no order; at most limits_.max_texts
  std::uint64_t since_halving_ = 0;
};

}  // namespace stickerd
