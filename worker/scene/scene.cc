// Scene geometry: effect reach, unit placement, and the fit over all frames.
#include "worker/scene/scene.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stickerd::render {

double effect_outset(const v1::StyleSpec& style) {
  double outline = 0;
  for (const auto& o : style.outlines()) outline = std::max(outline, o.width() / 2);
  double reach = outline;
  if (style.has_glow()) reach = std::max(reach, outline + style.glow().radius());
  if (style.has_bubble()) {
    const double border = style.bubble().has_outline() ? style.bubble().outline().width() : 0;
    reach = std::max(reach, style.bubble().margin() + border);
  }
  return reach;
}

void effect_offset(const v1::StyleSpec& style, double& dx, double& dy) {
  dx = dy = 0;
  auto widen = [&](double x, double y) {
    if (std::abs(x) > std::abs(dx)) dx = x;
    if (std::abs(y) > std::abs(dy)) dy = y;
  };
  if (style.has_shadow()) widen(style.shadow().dx(), style.shadow().dy());
  if (style.has_extrude()) widen(style.extrude().dx(), style.extrude().dy());
}

cairo_matrix_t place(const Scene& scene, const Pose& whole, const Unit* unit, const Pose* pose) {
  constexpr double kRad = std::numbers::pi / 180;
  cairo_matrix_t m;
  cairo_matrix_init_translate(&m, scene.canvas / 2, scene.canvas / 2);
  // The fit scale comes first so that shrinking a scene shrinks its motion
  // too: the whole frame sequence scales about the centre as one picture.
  cairo_matrix_scale(&m, scene.scale, scene.scale);
  cairo_matrix_translate(&m, whole.dx, whole.dy);
  cairo_matrix_rotate(&m, whole.rotate * kRad);
  cairo_matrix_scale(&m, whole.scale, whole.scale);
  cairo_matrix_translate(&m, -scene.ecx, -scene.ecy);
  if (unit && pose) {
    cairo_matrix_translate(&m, unit->cx + pose->dx, unit->cy + pose->dy);
    cairo_matrix_rotate(&m, pose->rotate * kRad);
    cairo_matrix_scale(&m, pose->scale, pose->scale);
    cairo_matrix_translate(&m, -unit->cx, -unit->cy);
  }
  return m;
}

void fit_frames(Scene& scene, const v1::StyleSpec& style, const std::vector<FrameLook>& looks,
                double padding) {
  const double grow = effect_outset(style);
  double odx = 0, ody = 0;
  effect_offset(style, odx, ody);
  const double half = scene.canvas / 2;
  double reach = 0;  // the farthest any drawn point gets from the centre, along x or y
  for (const FrameLook& look : looks) {
    for (std::size_t k = 0; k < scene.units.size(); ++k) {
      const Unit& u = scene.units[k];
      const cairo_matrix_t m = place(scene, look.whole, &u, &look.units[k]);
      const double x0 = u.ink.x - grow + std::min(0.0, odx),
                   x1 = u.ink.x + u.ink.width + grow + std::max(0.0, odx);
      const double y0 = u.ink.y - grow + std::min(0.0, ody),
                   y1 = u.ink.y + u.ink.height + grow + std::max(0.0, ody);
      for (auto [x, y] : {std::pair{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}}) {
        cairo_matrix_transform_point(&m, &x, &y);
        reach = std::max({reach, std::abs(x - half), std::abs(y - half)});
      }
    }
    if (style.has_bubble()) {
      const cairo_matrix_t m = place(scene, look.whole, nullptr, nullptr);
      const Box& e = scene.fitted.extent;
      for (auto [x, y] : {std::pair{e.x, e.y},
                          {e.x + e.width, e.y},
                          {e.x, e.y + e.height},
                          {e.x + e.width, e.y + e.height}}) {
        cairo_matrix_transform_point(&m, &x, &y);
        reach = std::max({reach, std::abs(x - half), std::abs(y - half)});
      }
    }
  }
  const double room = half - padding;
  if (reach > room && reach > 0) scene.scale *= room / reach;
}

}  // namespace stickerd::render
