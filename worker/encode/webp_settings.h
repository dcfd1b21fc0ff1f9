// The libwebp settings stickers are encoded with, chosen from measurements
// (bench/encoder; the table is in bench/README.md), and the WebPConfig built
// from them.
#pragma once

#include <cstdint>

#include <webp/encode.h>

#include "common/error.h"

namespace stickerd::encode {

struct WebpSettings {
  int method = 4;           // 0 (fast) .. 6 (slow); never 6: ~1 s per frame on the alpha plane
  int alpha_filtering = 1;  // 0 none, 1 fast, 2 best
  int alpha_quality = 100;  // < 100 quantises the alpha plane before its lossless coding
  int thread_level = 0;     // 1: alpha coded on a second thread
};

// Static and animated, every profile (bench-reference, q80 static / q75
// animated, against libwebp's defaults m4 af1):
// * method 2: x3.1 static, x2.7 animated (x1.6 and x1.8 against method 3) for
//   +3 % bytes at the same PSNR; method 1 was no faster and 6 % larger.
// * alpha_filtering 0: text's alpha plane always compressed best unfiltered,
//   so the default's second, filtered attempt only cost time.
// * alpha_quality 100: quantising the alpha plane (90, 80) was slower here.
// * thread_level 0 here; the renderer sets 1 for a task when the master saw an
//   idle core (RenderOptions::spare_core): x1.5 on an idle machine, but a
//   second thread only competes with the other worker when cores are full.
// The profiles differ only in their byte caps, which the quality step-down
// meets; the fastest setting was the same under each, so there is one.
inline constexpr WebpSettings kStickerWebp{2, 0, 100, 0};

// A validated lossy config at `quality` with `settings` applied.
Result<WebPConfig> webp_config(const WebpSettings& settings, std::uint32_t quality);

}  // namespace stickerd::encode
