// Premultiplied ARGB32 pictures: conversion, downscaling and PNG files.
#include "tests/unit/golden/argb_image.h"

#include <cairo.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "common/picture/handles.h"
#include "common/picture/png_read.h"

namespace stickerd::golden {
namespace {

using picture::CairoSurfacePtr;

// Copies a cairo ARGB32 surface row by row (its stride may be padded).
ArgbImage from_surface(cairo_surface_t* surface) {
  cairo_surface_flush(surface);
  ArgbImage image;
  image.width = cairo_image_surface_get_width(surface);
  image.height = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  image.pixels.resize(static_cast<std::size_t>(image.width) * image.height);
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(&image.pixels[static_cast<std::size_t>(y) * image.width],
                data + static_cast<std::size_t>(y) * stride,
                static_cast<std::size_t>(image.width) * 4);
  }
  return image;
}

}  // namespace

ArgbImage from_straight_rgba(const std::uint8_t* rgba, int width, int height) {
  ArgbImage image{width, height, {}};
  image.pixels.resize(static_cast<std::size_t>(width) * height);
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    const std::uint8_t* p = rgba + i * 4;
    const std::uint32_t a = p[3];
    auto pre = [a](std::uint32_t c) { return (c * a + 127) / 255; };
    image.pixels[i] = a << 24 | pre(p[0]) << 16 | pre(p[1]) << 8 | pre(p[2]);
  }
  return image;
}

ArgbImage half_size(const ArgbImage& image) {
  ArgbImage half{image.width / 2, image.height / 2, {}};
  half.pixels.resize(static_cast<std::size_t>(half.width) * half.height);
  for (int y = 0; y < half.height; ++y) {
    for (int x = 0; x < half.width; ++x) {
      std::uint32_t out = 0;
      for (int shift = 0; shift < 32; shift += 8) {
        std::uint32_t sum = 0;
        for (auto [dx, dy] : {std::pair{0, 0}, {1, 0}, {0, 1}, {1, 1}}) {
          sum += image.at(2 * x + dx, 2 * y + dy) >> shift & 0xff;
        }
        out |= ((sum + 2) / 4) << shift;
      }
      half.pixels[static_cast<std::size_t>(y) * half.width + x] = out;
    }
  }
  return half;
}

std::optional<ArgbImage> png_to_image(std::string_view bytes) {
  CairoSurfacePtr surface = picture::png_surface(bytes);
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  if (cairo_image_surface_get_format(surface.get()) != CAIRO_FORMAT_ARGB32) {
    // An opaque PNG loads as RGB24; draw it onto ARGB32 to get alpha 255.
    CairoSurfacePtr argb(cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                                    cairo_image_surface_get_width(surface.get()),
                                                    cairo_image_surface_get_height(surface.get())));
    picture::CairoPtr cr(cairo_create(argb.get()));
    cairo_set_source_surface(cr.get(), surface.get(), 0, 0);
    cairo_paint(cr.get());
    return from_surface(argb.get());
  }
  return from_surface(surface.get());
}

std::optional<ArgbImage> read_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return png_to_image(bytes);
}

bool write_png(const ArgbImage& image, const std::string& path) {
  std::vector<std::uint32_t> copy = image.pixels;  // cairo wants mutable data
  CairoSurfacePtr surface(cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(copy.data()), CAIRO_FORMAT_ARGB32, image.width, image.height,
      image.width * 4));
  return cairo_surface_write_to_png(surface.get(), path.c_str()) == CAIRO_STATUS_SUCCESS;
}

}  // namespace stickerd::golden
