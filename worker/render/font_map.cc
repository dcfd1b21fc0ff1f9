// The renderer's font map over the font set's private fontconfig configuration.
#include "worker/render/font_map.h"

#include <pango/pangofc-fontmap.h>

#include "common/font_config.h"

namespace stickerd::render {

Result<picture::PangoFontMapPtr> make_font_map(const FontSet& set) {
  auto config = make_font_config(set);
  if (!config) return config.error();
  picture::PangoFontMapPtr map(pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT));
  if (!map || !PANGO_IS_FC_FONT_MAP(map.get())) {
    return make_error(v1::INTERNAL, "pango has no fontconfig font map for cairo");
  }
  // The font map takes its own reference to the configuration.
  pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map.get()), config->get());
  return map;
}

}  // namespace stickerd::render
