// One frame of a finished sticker file, decoded the way its platform would:
// WebP (still or animated) by libwebp, PNG by cairo, TGS played by rlottie,
// the renderer Telegram's apps use.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "stickerd.pb.h"
#include "tests/unit/golden/argb_image.h"

namespace stickerd::golden {

// Frame `frame` (a WebP animation frame, a Lottie frame for TGS; 0 for
// stills) at the file's own size; nullopt when the file cannot be decoded or
// has no such frame.
std::optional<ArgbImage> sticker_frame(std::string_view bytes, v1::Format format,
                                       std::size_t frame);

}  // namespace stickerd::golden
