// CountMinSketch and Popularity: estimates, the bounded top texts, decay.
#include <string>

#include <doctest/doctest.h>

#include "master/cache/count_min_sketch.h"
#include "master/cache/popularity.h"

namespace stickerd {

TEST_CASE("a sketch never underestimates and, wide enough, is exact") {
  CountMinSketch sketch(1024, 4);
  for (int i = 0; i < 50; ++i) sketch.add("привет");
  for (int i = 0; i < 3; ++i) sketch.add("ok");
  CHECK(sketch.estimate("привет") == 50);
  CHECK(sketch.estimate("ok") == 3);
  CHECK(sketch.estimate("never seen") == 0);
  sketch.halve();
  CHECK(sketch.estimate("привет") == 25);
  CHECK(sketch.estimate("ok") == 1);
}

TEST_CASE("a narrow sketch overestimates but never underestimates") {
  CountMinSketch sketch(8, 2);
  for (int i = 0; i < 100; ++i) sketch.add("t" + std::to_string(i));
  for (int i = 0; i < 100; ++i) CHECK(sketch.estimate("t" + std::to_string(i)) >= 1);
}

TEST_CASE("the top texts are the most asked for, most first, and never more than the limit") {
  Popularity popularity({.max_texts = 3});
  for (int i = 0; i < 200; ++i) popularity.observe("rare " + std::to_string(i), "classic");
  for (int i = 0; i < 30; ++i) popularity.observe("привет", "classic");
  for (int i = 0; i < 20; ++i) popularity.observe("ok", "neon");
  for (int i = 0; i < 10; ++i) popularity.observe("спасибо", "classic");
  const auto top = popularity.top(10);
  REQUIRE(top.size() == 3);
  CHECK(top[0].text == "привет");
  CHECK(top[0].count == 30);
  CHECK(top[1].text == "ok");
  CHECK(top[2].text == "спасибо");
  CHECK(popularity.top(1).size() == 1);
}

TEST_CASE("each (text, style) is counted apart from the text") {
  Popularity popularity;
  for (int i = 0; i < 4; ++i) popularity.observe("hi", "classic");
  popularity.observe("hi", "neon");
  CHECK(popularity.text_count("hi") == 5);
  CHECK(popularity.pair_count("hi", "classic") == 4);
  CHECK(popularity.pair_count("hi", "neon") == 1);
  CHECK(popularity.pair_count("hi", "comic") == 0);
}

TEST_CASE("counts halve every half-life, so a new favourite overtakes an old one") {
  Popularity popularity({.max_texts = 2, .half_life = 100});
  for (int i = 0; i < 90; ++i) popularity.observe("old", "classic");
  for (int i = 0; i < 300; ++i) {
    popularity.observe("new", "classic");
  }
  const auto top = popularity.top(2);
  REQUIRE(!top.empty());
  CHECK(top[0].text == "new");
  CHECK(popularity.text_count("old") < 90 / 4);
}

}  // namespace stickerd
