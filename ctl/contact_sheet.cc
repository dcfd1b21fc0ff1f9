// Compositing the contact sheet with cairo.
#include "ctl/contact_sheet.h"

#include <algorithm>

#include <fmt/format.h>

namespace stickerd::ctl {
namespace {

constexpr int kLabelPx = 22;
constexpr int kGapPx = 8;

}  // namespace

std::optional<Error> write_contact_sheet(const std::vector<SheetTile>& tiles,
                                         const std::string& path, const SheetLayout& layout) {
  const int max_columns = std::max(1, layout.columns);
  const int tile_px = std::max(16, layout.tile_px);
  if (tiles.empty())
    return make_error(v1::INVALID_ARGUMENT, "a contact sheet needs at least one picture");
  const int columns = std::min<int>(max_columns, static_cast<int>(tiles.size()));
  const int rows = (static_cast<int>(tiles.size()) + columns - 1) / columns;
  const int width = kGapPx + columns * (tile_px + kGapPx);
  const int height = kGapPx + rows * (tile_px + kLabelPx + kGapPx);
  // RGB24: an opaque sheet compresses better and looks the same on any page.
  picture::CairoSurfacePtr sheet(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  picture::CairoPtr cr(cairo_create(sheet.get()));
  cairo_set_source_rgb(cr.get(), 0.86, 0.88, 0.91);
  cairo_paint(cr.get());
  cairo_select_font_face(cr.get(), "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr.get(), 14);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const int x = kGapPx + static_cast<int>(i) % columns * (tile_px + kGapPx);
    const int y = kGapPx + static_cast<int>(i) / columns * (tile_px + kLabelPx + kGapPx);
    cairo_surface_t* picture = tiles[i].picture.get();
    const int pw = cairo_image_surface_get_width(picture),
              ph = cairo_image_surface_get_height(picture);
    const double scale = static_cast<double>(tile_px) / std::max(pw, ph);
    cairo_save(cr.get());
    cairo_translate(cr.get(), x + (tile_px - pw * scale) / 2, y + (tile_px - ph * scale) / 2);
    cairo_scale(cr.get(), scale, scale);
    cairo_set_source_surface(cr.get(), picture, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr.get()), CAIRO_FILTER_GOOD);
    cairo_paint(cr.get());
    cairo_restore(cr.get());

    cairo_text_extents_t ext;
    cairo_text_extents(cr.get(), tiles[i].label.c_str(), &ext);
    cairo_set_source_rgb(cr.get(), 0.15, 0.15, 0.2);
    cairo_move_to(cr.get(), x + (tile_px - ext.x_advance) / 2, y + tile_px + kLabelPx - 6);
    cairo_show_text(cr.get(), tiles[i].label.c_str());
  }
  cairo_surface_flush(sheet.get());
  const cairo_status_t status = cairo_surface_write_to_png(sheet.get(), path.c_str());
  if (status != CAIRO_STATUS_SUCCESS) {
    return make_error(v1::INTERNAL,
                      fmt::format("cannot write {}: {}", path, cairo_status_to_string(status)));
  }
  return std::nullopt;
}

}  // namespace stickerd::ctl
