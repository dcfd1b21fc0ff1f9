// Popularity: the sketches and the bounded top-K of texts.
#include "master/cache/popularity.h"

#include <algorithm>

namespace stickerd {
namespace {

std::string pair_item(std::string_view text, std::string_view style_id) {
  std::string item(text);
  item.push_back('\0');  // no text holds NUL (admission), so pairs cannot collide
  item.append(style_id);
  return item;
}

}  // namespace

Popularity::Popularity(PopularityLimits limits)
    : limits_(limits), texts_(limits.width, limits.depth), pairs_(limits.width, limits.depth) {}

void Popularity::observe(std::string_view text, std::string_view style_id) {
  if (++since_halving_ >= limits_.half_life) halve();
  pairs_.add(pair_item(text, style_id));
  const std::uint32_t count = texts_.add(text);
  auto held =
      std::find_if(top_.begin(), top_.end(), [&](const PopularText& p) { return p.text == text; });
  if (held != top_.end()) {
    held->count = count;
  } else if (top_.size() < limits_.max_texts) {
    top_.push_back(PopularText{std::string(text), count});
  } else if (limits_.max_texts > 0) {
    auto least = std::min_element(top_.begin(), top_.end(),
                                  [](const auto& a, const auto& b) { return a.count < b.count; });
    if (count > least->count) *least = PopularText{std::string(text), count};
  }
}

std::uint32_t Popularity::pair_count(std::string_view text, std::string_view style_id) const {
  return pairs_.estimate(pair_item(text, style_id));
}

std::vector<PopularText> Popularity::top(std::size_t n) const {
  std::vector<PopularText> sorted = top_;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.text < b.text;
  });
  if (sorted.size() > n) sorted.resize(n);
  return sorted;
}

void Popularity::halve() {
  since_halving_ = 0;
  texts_.halve();
  pairs_.halve();
  for (PopularText& p : top_) p.count /= 2;
  std::erase_if(top_, [](const PopularText& p) { return p.count == 0; });
}

}  // namespace stickerd
