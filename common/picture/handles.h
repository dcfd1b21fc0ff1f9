// Owning handles for cairo, pango and GObject resources: unique_ptr with the
// matching destroy function, so no render path can leak one on an early return.
#pragma once

#include <memory>

#include <cairo.h>
#include <glib-object.h>
#include <pango/pangocairo.h>

namespace stickerd::picture {

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) Destroy(p);
  }
};

// g_object_unref takes a gpointer, so each GObject type gets a typed wrapper.
template <typename T>
void unref_gobject(T* p) {
  g_object_unref(p);
}

using CairoSurfacePtr =
    std::unique_ptr<cairo_surface_t, Deleter<cairo_surface_t, cairo_surface_destroy>>;
using CairoPtr = std::unique_ptr<cairo_t, Deleter<cairo_t, cairo_destroy>>;
using CairoPatternPtr =
    std::unique_ptr<cairo_pattern_t, Deleter<cairo_pattern_t, cairo_pattern_destroy>>;
using CairoPathPtr = std::unique_ptr<cairo_path_t, Deleter<cairo_path_t, cairo_path_destroy>>;
using CairoFontOptionsPtr =
    std::unique_ptr<cairo_font_options_t,
                    Deleter<cairo_font_options_t, cairo_font_options_destroy>>;
using PangoFontDescriptionPtr =
    std::unique_ptr<PangoFontDescription,
                    Deleter<PangoFontDescription, pango_font_description_free>>;
using PangoFontMapPtr =
    std::unique_ptr<PangoFontMap, Deleter<PangoFontMap, unref_gobject<PangoFontMap>>>;
using PangoContextPtr =
    std::unique_ptr<PangoContext, Deleter<PangoContext, unref_gobject<PangoContext>>>;
using PangoLayoutPtr =
    std::unique_ptr<PangoLayout, Deleter<PangoLayout, unref_gobject<PangoLayout>>>;

}  // namespace stickerd::picture
