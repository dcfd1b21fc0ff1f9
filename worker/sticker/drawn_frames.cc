// Frames drawn in order, on the encoder's thread or ahead of it.
#include "worker/sticker/drawn_frames.h"

#include <utility>

namespace stickerd::render {

DrawnFrames::DrawnFrames(std::size_t count, std::size_t frame_bytes, DrawFn draw, bool ahead)
    : frames_(count), draw_(std::move(draw)) {
  for (auto& f : frames_) f.reserve(frame_bytes);
  if (ahead && count > 1) thread_ = std::thread([this] { draw_all(); });
}

DrawnFrames::~DrawnFrames() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  thread_.join();
}

void DrawnFrames::draw_all() {
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    // frames_[i] is not read until drawn_ passes i, so it is drawn unlocked.
    std::optional<Error> failed = draw_(i, frames_[i]);
    std::lock_guard lock(mutex_);
    if (failed) {
      failure_ = std::move(failed);
      drawn_cv_.notify_all();
      return;
    }
    drawn_ = i + 1;
    drawn_cv_.notify_all();
  }
}

std::optional<Error> DrawnFrames::failure() {
  std::lock_guard lock(mutex_);
  return failure_;
}

const std::uint8_t* DrawnFrames::frame(std::size_t i) {
  if (i >= frames_.size()) return nullptr;
  if (thread_.joinable()) {
    std::unique_lock lock(mutex_);
    drawn_cv_.wait(lock, [&] { return drawn_ > i || failure_.has_value(); });
    return drawn_ > i ? frames_[i].data() : nullptr;
  }
  // On demand, in order: the encoder asks for 0, 1, ... and on a retry again.
  while (drawn_ <= i && !failure_) {
    if (auto failed = draw_(drawn_, frames_[drawn_])) {
      failure_ = std::move(failed);
    } else {
      ++drawn_;
    }
  }
  return drawn_ > i ? frames_[i].data() : nullptr;
}

}  // namespace stickerd::render
