// The worker's frame loop: read ToWorker, render, write FromWorker. Blocking
// I/O on one channel fd, no threads; it owns no process state, so tests drive
// it over a socketpair in-process.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/frame.h"
#include "common/style_catalogue.h"
#include "worker.pb.h"
#include "worker/sticker/renderer.h"

namespace stickerd {

// Exit codes (sysexits.h where one fits). The master does not respawn a
// worker that exits with kExitConfig: a bad catalogue cannot heal by retrying.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProtocol = 2;
inline constexpr int kExitUsage = 64;   // EX_USAGE
inline constexpr int kExitConfig = 78;  // EX_CONFIG

struct WorkerOptions {
  std::string styles_dir;
  int slot = 0;
  int fd = 3;
  bool enable_test_styles = false;  // --enable-test-styles (see worker/chaos.h)
  bool sandbox = true;              // --sandbox on|off (see worker/sandbox.h)
  std::uint64_t max_rss_mb = 0;     // --max-rss-mb N: sizes RLIMIT_AS (resource_limits.h)
};

// Parses --styles DIR, --slot N, --fd N, --enable-test-styles, --sandbox on|off,
// --max-rss-mb N. `styles_dir` defaults to
// default_styles_dir(). INVALID_ARGUMENT with a usage sentence otherwise.
Result<WorkerOptions> parse_worker_options(int argc, const char* const* argv);

class WorkerLoop {
 public:
  WorkerLoop(int fd, const StyleCatalogue& catalogue, render::Renderer& renderer)
      : fd_(fd), catalogue_(catalogue), renderer_(renderer) {}

  // Sends FromWorker{ready} with the sandbox's state ("off" when none).
  // False when the master is gone.
  bool send_ready(std::uint32_t warmup_us, const std::string& sandbox);
  // Serves tasks until shutdown, EOF or a protocol error; returns the exit code.
  int run();
  // Lets the test styles (common/test_styles.h) misbehave instead of being refused.
  void enable_test_styles(bool on) { test_styles_ = on; }
  // Renders one task into a result (never fails: errors become TaskResult.error).
  v1::TaskResult handle(const v1::Task& task);

 private:
  int fd_;
  const StyleCatalogue& catalogue_;
  render::Renderer& renderer_;
  FrameDecoder decoder_;
  bool test_styles_ = false;
};

// Before READY: lays a throw-away text out in every font the catalogue uses,
// for raster output (colour emoji) and for TGS (outline emoji, Symbola), then
// renders one sticker in the default style and codes one small VP9 picture,
// so fontconfig, every font, libwebp and libvpx are loaded and no first
// request pays for them. Returns microseconds.
Result<std::uint32_t> warm_up(const StyleCatalogue& catalogue, render::Renderer& renderer);

}  // namespace stickerd
