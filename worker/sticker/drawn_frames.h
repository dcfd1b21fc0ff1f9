// An animation's frames, drawn on demand for the encoder: in order on the
// encoder's own thread, or ahead of it on a second thread when a core is idle.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/error.h"
#include "worker/encode/webp_animated.h"

namespace stickerd::render {

class DrawnFrames final : public encode::FrameSource {
 public:
  // Draws frame i as straight BGRA into `out`.
  using DrawFn = std::function<std::optional<Error>(std::size_t i, std::vector<std::uint8_t>& out)>;

  // `ahead`: draw on a second thread while the encoder codes (drawing is a
  // third of an animated sticker; on an idle core it overlaps the encoding).
  // Otherwise frame(i) draws each frame when the encoder first asks for it.
  // Each frame's buffer is reserved for `frame_bytes` here, on the caller's
  // thread: allocated by a second thread, the frames would come from (and
  // stay in) that thread's malloc arena, another 30 MB of a worker's RSS.
  DrawnFrames(std::size_t count, std::size_t frame_bytes, DrawFn draw, bool ahead);
  // Stops the drawing thread (after its current frame) and joins it.
  ~DrawnFrames() override;
  DrawnFrames(const DrawnFrames&) = delete;
  DrawnFrames& operator=(const DrawnFrames&) = delete;

  std::size_t size() const override { return frames_.size(); }
  const std::uint8_t* frame(std::size_t i) override;
  // Why a frame could not be drawn, if one could not.
  std::optional<Error> failure();

 private:
  void draw_all();  // the second thread's body

  std::vector<std::vector<std::uint8_t>> frames_;
  DrawFn draw_;
  std::mutex mutex_;
  std::condition_variable drawn_cv_;
  std::size_t drawn_ = 0;  // frames [0, drawn_) are complete; guarded by mutex_ when ahead
  bool stop_ = false;
  std::optional<Error> failure_;
  std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace stickerd::render
