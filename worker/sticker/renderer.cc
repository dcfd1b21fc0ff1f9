// The renderer: check the request against the style and the profile, lay the
// text out, animate, draw or export, encode, and validate the file.
#include "worker/sticker/renderer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "common/format_rules.h"
#include "common/style_catalogue.h"
#include "worker/encode/lottie.h"
#include "worker/encode/png.h"
#include "worker/encode/validator.h"
#include "worker/encode/vp9_stream.h"
#include "worker/encode/webm.h"
#include "worker/encode/webp.h"
#include "worker/encode/webp_animated.h"
#include "worker/render/allocator.h"
#include "worker/render/downscale.h"
#include "worker/render/draw.h"
#include "worker/render/font_map.h"
#include "worker/render/pixels.h"
#include "worker/scene/layout.h"
#include "worker/sticker/drawn_frames.h"
#include "worker/sticker/emoji_style.h"

namespace stickerd::render {
namespace {

picture::CairoFontOptionsPtr font_options() {
  // No hinting: glyph shapes and advances then scale smoothly with the font
  // size, which keeps the binary search monotone and the output host-independent.
  picture::CairoFontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  return options;
}

// TGS needs every glyph as a vector outline. Colour emoji fonts hold bitmaps,
// so vector output takes emoji from an outline emoji font (Debian's
// fonts-symbola); its monochrome emoji then take the style's fill.
constexpr const char* kOutlineEmojiFont = "Symbola";

FontSet default_font_set() {
  auto fonts = load_font_set(default_styles_dir());
  if (!fonts) {
    fmt::print(stderr, "stickerd: no font set: {}\n", fonts.error());
    std::abort();
  }
  return std::move(*fonts);
}

picture::PangoFontMapPtr font_map_or_abort(const FontSet& fonts) {
  auto map = make_font_map(fonts);
  if (!map) {
    fmt::print(stderr, "stickerd: cannot build the font map: {}\n", map.error());
    std::abort();
  }
  return std::move(*map);
}

std::string joined(const std::vector<std::string>& families) {
  std::string out;
  for (const std::string& f : families) out += (out.empty() ? "" : ",") + f;
  return out;
}

}  // namespace

Renderer::Renderer() : Renderer(default_font_set()) {}

Renderer::Renderer(FontSet fonts)
    : fonts_(std::move(fonts)),
      fallback_(joined(fonts_.fallback)),
      font_map_(font_map_or_abort(fonts_)),
      context_(pango_font_map_create_context(font_map_.get())),
      surface_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kCanvasPx, kCanvasPx)),
      small_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kEmojiPx, kEmojiPx)) {
  pango_cairo_context_set_font_options(context_.get(), font_options().get());
  pango_context_set_round_glyph_positions(context_.get(), FALSE);
}

Result<Scene> Renderer::build_scene(std::string_view text, const v1::StyleSpec& style,
                                    bool vector_only, std::vector<FrameLook>& looks) {
  if (cairo_surface_status(surface_.get()) != CAIRO_STATUS_SUCCESS ||
      cairo_surface_status(small_.get()) != CAIRO_STATUS_SUCCESS) {
    return make_error(v1::INTERNAL, "cannot allocate the 512x512 and 100x100 canvases");
  }
  FitBox box;
  box.width = box.height = kCanvasPx - 2 * style.padding();
  box.outset = effect_outset(style);
  effect_offset(style, box.shadow_dx, box.shadow_dy);
  box.max_lines = style.max_lines();
  if (vector_only) box.emoji_font = kOutlineEmojiFont;
  box.fallback = fallback_;
  auto fitted = fit_layout(context_.get(), text, style.font(), box);
  if (!fitted) return fitted.error();
  // A box is never part of a success: the request is refused, with the
  // characters named, before any drawing or encoding.
  if (fitted->unknown.count > 0)
    return make_error(v1::UNSUPPORTED_TEXT, describe_unknown(fitted->unknown));

  Scene scene;
  scene.canvas = kCanvasPx;
  scene.fitted = std::move(*fitted);
  scene.scale = scene.fitted.scale;
  const Box& e = scene.fitted.extent;
  // Centre the grown extent (glyphs + effects), not the logical box, so the
  // visible drawing sits in the middle.
  scene.ecx = e.x + e.width / 2;
  scene.ecy = e.y + e.height / 2;
  picture::CairoPtr scratch(cairo_create(surface_.get()));
  scene.units = split_units(scratch.get(), scene.fitted.layout.get());
  if (scene.units.empty())
    return make_error(v1::INVALID_ARGUMENT, "text has no visible characters");
  if (vector_only) {
    // TGS draws outlines only: a character only a colour bitmap font has
    // (an emoji newer than the outline emoji font) would silently be left
    // out of the sticker, which is a box by another name.
    for (const Unit& u : scene.units) {
      if (u.has_vector) continue;
      return make_error(
          v1::UNSUPPORTED_TEXT,
          fmt::format("no outline font has U+{:04X}, and a TGS is drawn from outlines: ask for a "
                      "raster format (webp, png) for this text",
                      u.first));
    }
  }

  const Timing t = timing(style);
  const std::uint64_t seed = animation_seed(text, style);
  looks.clear();
  for (std::uint32_t i = 0; i < t.frames; ++i)
    looks.push_back(look_at(style, i, t.frames, scene.units.size(), seed));
  fit_frames(scene, style, looks, style.padding());
  return scene;
}

std::optional<Error> Renderer::draw(const Scene& scene, const v1::StyleSpec& style,
                                    const FrameLook& look) {
  picture::CairoPtr cr(cairo_create(surface_.get()));
  cairo_set_operator(cr.get(), CAIRO_OPERATOR_CLEAR);
  cairo_paint(cr.get());
  cairo_set_operator(cr.get(), CAIRO_OPERATOR_OVER);
  draw_frame(cr.get(), scene, style, look);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    return make_error(v1::INTERNAL, fmt::format("drawing failed: {}",
                                                cairo_status_to_string(cairo_status(cr.get()))));
  }
  cairo_surface_flush(surface_.get());
  return std::nullopt;
}

cairo_surface_t* Renderer::shown(int side) {
  if (side == kCanvasPx) return surface_.get();
  downscale(surface_.get(), small_.get());
  return small_.get();
}

Result<RenderedSticker> Renderer::render_raster_still(
    const Scene& scene, const v1::StyleSpec& style, const FrameLook& look, v1::Format format,
    v1::Profile profile, const encode::WebpSettings& webp_settings, int side) {
  if (auto failed = draw(scene, style, look)) return *failed;
  cairo_surface_t* picture = shown(side);
  RenderedSticker out;
  out.format = format;
  out.width = out.height = static_cast<std::uint32_t>(side);
  out.frame_count = 1;
  const std::size_t cap = encode::max_bytes(format, profile);
  if (format == v1::FORMAT_PNG) {
    auto png = encode::encode_png(picture);
    if (!png) return png.error();
    if (cap && png->size() > cap) {
      return make_error(v1::INTERNAL,
                        fmt::format("the PNG is {} bytes, over the {} byte cap", png->size(), cap));
    }
    out.data = std::move(*png);
    out.mime_type = "image/png";
    out.quality = 100;  // lossless
    return out;
  }
  unpremultiply_argb32(cairo_image_surface_get_data(picture),
                       cairo_image_surface_get_stride(picture), side, side, straight_);
  auto webp =
      encode::encode_webp(straight_.data(), side, side, style.webp_quality(), cap, webp_settings);
  if (!webp) return webp.error();
  out.data = std::move(webp->data);
  out.mime_type = "image/webp";
  out.quality = webp->quality;
  return out;
}

Result<RenderedSticker> Renderer::render_animated(const Scene& scene, const v1::StyleSpec& style,
                                                  const std::vector<FrameLook>& looks,
                                                  v1::Format format, v1::Profile profile,
                                                  const encode::WebpSettings& webp_settings,
                                                  int side) {
  // With a second encoder thread (an idle core) the frames are drawn on a
  // thread of their own too, ahead of the encoder; surface_ is then that
  // thread's alone until `frames` is destroyed.
  DrawnFrames frames(
      looks.size(), static_cast<std::size_t>(side) * side * 4,
      [&](std::size_t i, std::vector<std::uint8_t>& out) -> std::optional<Error> {
        if (auto failed = draw(scene, style, looks[i])) return failed;
        cairo_surface_t* picture = shown(side);
        unpremultiply_argb32(cairo_image_surface_get_data(picture),
                             cairo_image_surface_get_stride(picture), side, side, out);
        return std::nullopt;
      },
      webp_settings.thread_level > 0);
  const bool quality_set = style.webp_quality() != 0;
  auto anim = format == v1::FORMAT_WEBM
                  ? encode::encode_webm(frames, side, side, timing(style).frame_ms,
                                        encode::max_bytes(format, profile))
                  : encode::encode_webp_animated(
                        frames, side, side, timing(style).frame_ms,
                        quality_set ? style.webp_quality() : encode::kDefaultAnimatedQuality,
                        encode::max_bytes(format, profile), webp_settings);
  if (!anim) return frames.failure().value_or(anim.error());
  RenderedSticker out;
  out.format = format;
  out.mime_type = format == v1::FORMAT_WEBM ? "video/webm" : "image/webp";
  out.width = out.height = static_cast<std::uint32_t>(side);
  out.data = std::move(anim->data);
  out.quality = anim->quality;
  out.frame_count = anim->frame_count;
  out.duration_ms = anim->duration_ms;
  return out;
}

Result<RenderedSticker> Renderer::render(std::string_view text, const v1::StyleSpec& style,
                                         v1::Format format, v1::Profile profile,
                                         const RenderOptions& options) {
  if (format == v1::FORMAT_UNSPECIFIED) format = default_format_for(style, profile);
  if (profile == v1::PROFILE_UNSPECIFIED) profile = v1::PROFILE_TELEGRAM;
  if (!StyleCatalogue::supports(style, format)) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("style {} does not offer format {}",
                                                        style.id(), format_name(format)));
  }
  if (auto why = format_profile_conflict(format, profile))
    return make_error(v1::INVALID_ARGUMENT, *why);
  if ((format == v1::FORMAT_WEBP_ANIMATED || format == v1::FORMAT_WEBM) && !is_animated(style)) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("style {} has no animation for format {}",
                                                        style.id(), format_name(format)));
  }

  // Custom emoji: stills and video 100x100, drawn with the emoji's style;
  // a TGS keeps its 512 canvas (Telegram scales the Lottie).
  const bool emoji = profile == v1::PROFILE_TELEGRAM_EMOJI && format != v1::FORMAT_TGS;
  const v1::StyleSpec emoji_spec = emoji ? emoji_style(style) : v1::StyleSpec();
  const v1::StyleSpec& drawn = emoji ? emoji_spec : style;
  const int side = emoji ? kEmojiPx : kCanvasPx;

  std::vector<FrameLook> looks;
  auto scene = build_scene(text, drawn, format == v1::FORMAT_TGS, looks);
  if (!scene) return scene.error();

  encode::WebpSettings webp = encode::kStickerWebp;
  webp.thread_level = options.spare_core ? 1 : 0;
  Result<RenderedSticker> out = make_error(v1::INTERNAL, "no encoder ran");
  switch (format) {
    case v1::FORMAT_TGS: {
      auto tgs = encode::encode_tgs(*scene, style, looks, timing(style).frame_ms);
      if (!tgs) return tgs.error();
      RenderedSticker s;
      s.format = format;
      s.mime_type = "application/x-tgsticker";
      s.width = s.height = kCanvasPx;
      s.data = std::move(tgs->data);
      s.frame_count = tgs->frame_count;
      s.duration_ms = tgs->duration_ms;
      s.quality = 100;
      out = std::move(s);
      break;
    }
    case v1::FORMAT_WEBP_ANIMATED:
    case v1::FORMAT_WEBM:
      out = render_animated(*scene, drawn, looks, format, profile, webp, side);
      release_freed_memory();  // its frames are gone; a static sticker's working set is a third of
                               // that
      break;
    default:
      // A still of an animated style is its frame 0, which shows the whole text.
      out = render_raster_still(*scene, drawn, looks.front(), format, profile, webp, side);
      break;
  }
  if (!out) return out;
  if (auto broken = encode::check_text(scene->fitted.unknown.count))
    return make_error(v1::UNSUPPORTED_TEXT, *broken);
  if (auto broken = encode::check_sticker(out->data, format, profile)) {
    return make_error(v1::INTERNAL,
                      fmt::format("the {} file for profile {} breaks a rule: {}",
                                  format_name(format), profile_name(profile), *broken));
  }
  return out;
}

std::optional<Error> warm_up_encoders() { return encode::warm_up_vp9(); }

}  // namespace stickerd::render
