// The renderer: validate the request against the style, fit, draw, encode.
#include "worker/render/renderer.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/style_catalogue.h"
#include "worker/encode/png.h"
#include "worker/encode/webp.h"
#include "worker/render/draw.h"
#include "worker/render/layout.h"
#include "worker/render/pixels.h"

namespace stickerd::render {
namespace {

// "FORMAT_WEBP_ANIMATED" -> "webp_animated", for messages a person reads.
std::string short_name(const std::string& enum_name, std::string_view prefix) {
  std::string s = enum_name.rfind(prefix, 0) == 0 ? enum_name.substr(prefix.size()) : enum_name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string format_name(v1::Format f) { return short_name(v1::Format_Name(f), "FORMAT_"); }
std::string profile_name(v1::Profile p) { return short_name(v1::Profile_Name(p), "PROFILE_"); }

bool implemented(v1::Format f) { return f == v1::FORMAT_WEBP || f == v1::FORMAT_PNG; }

CairoFontOptionsPtr font_options() {
  // No hinting: glyph shapes and advances then scale smoothly with the font
  // size, which keeps the binary search monotone and the output host-independent.
  CairoFontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  return options;
}

}  // namespace

Renderer::Renderer()
    : font_map_(pango_cairo_font_map_new()),
      context_(pango_font_map_create_context(font_map_.get())),
      surface_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kCanvasPx, kCanvasPx)) {
  pango_cairo_context_set_font_options(context_.get(), font_options().get());
  pango_context_set_round_glyph_positions(context_.get(), FALSE);
}

std::optional<Error> Renderer::draw(std::string_view text, const v1::StyleSpec& style) {
  if (cairo_surface_status(surface_.get()) != CAIRO_STATUS_SUCCESS) {
    return make_error(v1::INTERNAL, "cannot allocate the 512x512 canvas");
  }
  FitBox box;
  box.width = box.height = kCanvasPx - 2 * style.padding();
  box.outset = outline_outset(style);
  if (style.has_shadow()) {
    box.shadow_dx = style.shadow().dx();
    box.shadow_dy = style.shadow().dy();
  }
  box.max_lines = style.max_lines();
  auto fitted = fit_layout(context_.get(), text, style.font(), box);
  if (!fitted) return fitted.error();

  CairoPtr cr(cairo_create(surface_.get()));
  cairo_set_operator(cr.get(), CAIRO_OPERATOR_CLEAR);
  cairo_paint(cr.get());
  cairo_set_operator(cr.get(), CAIRO_OPERATOR_OVER);
  draw_sticker(cr.get(), *fitted, style, kCanvasPx);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    return make_error(v1::INTERNAL, fmt::format("drawing failed: {}", cairo_status_to_string(cairo_status(cr.get()))));
  }
  cairo_surface_flush(surface_.get());
  return std::nullopt;
}

Result<RenderedSticker> Renderer::render(std::string_view text, const v1::StyleSpec& style, v1::Format format,
                                         v1::Profile profile) {
  if (format == v1::FORMAT_UNSPECIFIED) format = StyleCatalogue::default_format(style);
  if (!StyleCatalogue::supports(style, format)) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("style {} does not offer format {}", style.id(), format_name(format)));
  }
  if (!implemented(format)) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("format {} is not supported yet by style {}",
                                                        format_name(format), style.id()));
  }
  if (profile != v1::PROFILE_UNSPECIFIED && profile != v1::PROFILE_TELEGRAM) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("profile {} is not supported yet by style {}",
                                                        profile_name(profile), style.id()));
  }
  if (auto failed = draw(text, style)) return *failed;

  RenderedSticker out;
  out.format = format;
  out.width = out.height = kCanvasPx;
  out.frame_count = 1;
  if (format == v1::FORMAT_PNG) {
    auto png = encode::encode_png(surface_.get());
    if (!png) return png.error();
    if (png->size() > kTelegramMaxBytes) {
      return make_error(v1::INTERNAL, fmt::format("the PNG is {} bytes, over Telegram's {} byte cap",
                                                  png->size(), kTelegramMaxBytes));
    }
    out.data = std::move(*png);
    out.mime_type = "image/png";
    out.quality = 100;  // lossless
    return out;
  }
  unpremultiply_argb32(cairo_image_surface_get_data(surface_.get()), cairo_image_surface_get_stride(surface_.get()),
                       kCanvasPx, kCanvasPx, straight_);
  auto webp = encode::encode_webp(straight_.data(), kCanvasPx, kCanvasPx, style.webp_quality(), kTelegramMaxBytes);
  if (!webp) return webp.error();
  out.data = std::move(webp->data);
  out.mime_type = "image/webp";
  out.quality = webp->quality;
  return out;
}

}  // namespace stickerd::render
