// DrawnFrames: frames drawn on demand or ahead on a thread, in order, with a
// drawing failure reported instead of a frame.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "worker/sticker/drawn_frames.h"

namespace stickerd::render {
namespace {

// Frame i is four bytes of value i; `fail_at` fails that frame.
DrawnFrames::DrawFn numbered(std::atomic<int>& calls, std::size_t fail_at = SIZE_MAX) {
  return [&calls, fail_at](std::size_t i, std::vector<std::uint8_t>& out) -> std::optional<Error> {
    ++calls;
    if (i == fail_at) return make_error(v1::INTERNAL, "drawing failed");
    out.assign(4, static_cast<std::uint8_t>(i));
    return std::nullopt;
  };
}

}  // namespace

TEST_CASE("on demand, each frame is drawn once, when first asked for, and kept for a second pass") {
  std::atomic<int> calls = 0;
  DrawnFrames frames(5, 4, numbered(calls), false);
  CHECK(frames.size() == 5);
  CHECK(calls == 0);
  REQUIRE(frames.frame(2) != nullptr);
  CHECK(calls == 3);  // 0, 1 and 2, in order
  CHECK(frames.frame(2)[0] == 2);
  for (std::size_t i = 0; i < 5; ++i) CHECK(frames.frame(i)[3] == i);
  CHECK(calls == 5);
  CHECK(frames.frame(5) == nullptr);
  CHECK_FALSE(frames.failure().has_value());
}

TEST_CASE("ahead, every frame arrives complete and in order on the encoder's side") {
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> calls = 0;
    DrawnFrames frames(30, 4, numbered(calls), true);
    for (std::size_t i = 0; i < 30; ++i) {
      const std::uint8_t* f = frames.frame(i);
      REQUIRE(f != nullptr);
      CHECK(f[0] == i);
      CHECK(f[3] == i);
    }
    CHECK(calls == 30);
  }
}

TEST_CASE("a frame that cannot be drawn stops the frames after it and says why, in both modes") {
  for (bool ahead : {false, true}) {
    CAPTURE(ahead);
    std::atomic<int> calls = 0;
    DrawnFrames frames(6, 4, numbered(calls, 3), ahead);
    CHECK(frames.frame(2) != nullptr);
    CHECK(frames.frame(3) == nullptr);
    CHECK(frames.frame(4) == nullptr);
    REQUIRE(frames.failure().has_value());
    CHECK(frames.failure()->message == "drawing failed");
    CHECK(calls == 4);  // nothing past the failed frame
  }
}

TEST_CASE(
    "a source dropped before the encoder read it all stops its thread after the frame it is "
    "drawing") {
  std::atomic<int> calls = 0;
  auto slow = [&calls](std::size_t i, std::vector<std::uint8_t>& out) -> std::optional<Error> {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    out.assign(4, static_cast<std::uint8_t>(i));
    return std::nullopt;
  };
  {
    DrawnFrames frames(1000, 4, slow, true);
    CHECK(frames.frame(0) != nullptr);
  }  // joins; drawing all 1000 would take 2 s
  CHECK(calls < 1000);
}

}  // namespace stickerd::render
