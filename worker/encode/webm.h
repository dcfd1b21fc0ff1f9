// Telegram video stickers: VP9 with an alpha channel in WebM. Colour and
// alpha are two VP9 streams at constant quality (VPX_Q with a cq_level, so a
// short text costs few bytes); the container is webm_container.h's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/error.h"
#include "worker/encode/webp_animated.h"

namespace stickerd::encode {

// Telegram plays video stickers at up to 30 fps.
inline constexpr std::uint32_t kWebmMaxFps = 30;

// Frames straight BGRA, `width` x `height`, each shown `frame_ms`; frames
// are skipped as needed to stay within kWebmMaxFps. Like the animated WebP
// encoder, a file over `max_bytes` (0: no cap) is coded again at lower
// quality, then with every other frame; INTERNAL when even that is too big or
// `frames` fails to deliver one. `quality` reports the cq_level as 0..100.
Result<EncodedAnimation> encode_webm(FrameSource& frames, int width, int height,
                                     std::uint32_t frame_ms, std::size_t max_bytes);

}  // namespace stickerd::encode
