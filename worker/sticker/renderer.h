// The renderer: (text, StyleSpec, format, profile) to a finished sticker file.
// Pure: no I/O, no IPC; the worker, the tests and the benchmark all call it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/font_set.h"
#include "common/picture/handles.h"
#include "stickerd.pb.h"
#include "style.pb.h"
#include "worker/encode/webp_settings.h"
#include "worker/scene/scene.h"

namespace stickerd::render {

inline constexpr int kCanvasPx = 512;
// Telegram's static sticker cap (stickers.md §0).
inline constexpr std::size_t kTelegramMaxBytes = 512 * 1024;

// How a render may use the machine.
struct RenderOptions {
  // A core is idle: libwebp codes the alpha plane on a second thread
  // (thread_level 1; static bench-reference x1.5 faster on an idle core,
  // slower when every core already has a worker).
  bool spare_core = false;
};

struct RenderedSticker {
  std::string data;
  v1::Format format = v1::FORMAT_UNSPECIFIED;
  std::string mime_type;
  std::uint32_t width = 0, height = 0, frame_count = 0, duration_ms = 0, quality = 0;
};

// Holds the reusable state (font map, pango context, canvas, pixel buffer):
// one per worker process. Not thread-safe.
class Renderer {
 public:
  // Draws with `fonts` and no other font on the host (worker/render/font_map.h).
  explicit Renderer(FontSet fonts);
  // The font set of the default styles directory (default_styles_dir()); a
  // missing or broken one aborts: the tests, benchmarks and tools that use
  // this have no way to go on without fonts.
  Renderer();

  const FontSet& font_set() const { return fonts_; }

  // Every file returned has passed the validator for its format and profile.
  Result<RenderedSticker> render(std::string_view text, const v1::StyleSpec& style,
                                 v1::Format format, v1::Profile profile,
                                 const RenderOptions& options = {});

  // The fitted scene and its frame looks, as render() would draw them; for
  // tests and previews. `vector_only`: lay out for TGS (outline emoji font).
  Result<Scene> build_scene(std::string_view text, const v1::StyleSpec& style, bool vector_only,
                            std::vector<FrameLook>& looks);

 private:
  // Draws one frame onto surface_ and leaves it flushed.
  std::optional<Error> draw(const Scene& scene, const v1::StyleSpec& style, const FrameLook& look);
  // The drawn canvas at the output's `side`: surface_ itself at kCanvasPx,
  // else scaled down into small_ (kEmojiPx).
  cairo_surface_t* shown(int side);
  // `side`: the output's width and height, kCanvasPx or kEmojiPx.
  Result<RenderedSticker> render_raster_still(const Scene& scene, const v1::StyleSpec& style,
                                              const FrameLook& look, v1::Format format,
                                              v1::Profile profile, const encode::WebpSettings& webp,
                                              int side);
  // Animated WebP or WEBM, from the same drawn frames.
  Result<RenderedSticker> render_animated(const Scene& scene, const v1::StyleSpec& style,
                                          const std::vector<FrameLook>& looks, v1::Format format,
                                          v1::Profile profile, const encode::WebpSettings& webp,
                                          int side);

  FontSet fonts_;
  std::string fallback_;  // fonts_.fallback, comma-separated
  picture::PangoFontMapPtr font_map_;
  picture::PangoContextPtr context_;
  picture::CairoSurfacePtr surface_;
  picture::CairoSurfacePtr small_;      // custom emoji's 100x100 output
  std::vector<std::uint8_t> straight_;  // unpremultiplied pixels, reused between renders
};

// The encoders' one-time, process-wide set-up (libvpx's), done by a worker's
// warm-up before it is sandboxed; a render does it itself when it was not.
std::optional<Error> warm_up_encoders();

}  // namespace stickerd::render
