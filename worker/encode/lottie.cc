// TGS writer.
//
// Coordinates: paths are written in "fitted canvas" space q = C + s (p - ec)
// (C the canvas centre, s the fit scale, ec the layout point at the centre).
// The whole-text pose is the layer transform about C, and each unit's pose is
// its group transform about the unit's centre: the same composition as
// render::place(), rewritten for Lottie's T(p) R S T(-a).
//
// Paint order: Lottie draws the first shape of a list on top, so the groups go
// fill (all units), glitch copies, outlines, glow, extrusion, shadow, bubble.
// Each layer repeats the units' paths; gzip folds the repeats, and when the
// file is still over 64 KB the detail drops: first half the keyframes, then
// outlines folded into the fill group (below the fill within each unit), then
// no extrusion or shadow copies. Large scripts (a long CJK or Indic text has
// thousands of outline points) go further: a quarter of the keyframes and
// whole-pixel coordinates, then outlines simplified (points closer than a
// pixel or two merged, handles under half a pixel dropped). A text that does
// not fit even then is refused with TEXT_TOO_LONG: never a TGS over the cap.
#include "worker/encode/lottie.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "worker/scene/colour.h"

namespace stickerd::encode {
namespace {

using render::FrameLook;
using render::Pose;
using render::Rgba;
using render::Scene;
using render::Unit;

constexpr std::size_t kTgsMaxBytes = 64 * 1024;
constexpr std::uint32_t kMaxDetail = 6;

// What a detail level keeps.
struct Detail {
  std::uint32_t stride = 1;  // every stride-th look is a keyframe
  bool split_layers = true;  // outlines in a layer of their own
  bool copies = true;        // glow, extrusion and shadow copies
  int decimals = 1;          // in path coordinates
  double merge_px = 0;       // path points closer than this (canvas px) are merged
};

Detail detail_at(std::uint32_t level) {
  Detail d;
  d.stride = level == 0 ? 1 : level < 4 ? 2 : 4;
  d.split_layers = level < 2;
  d.copies = level < 3;
  d.decimals = level < 4 ? 1 : 0;
  d.merge_px = level < 5 ? 0 : level == 5 ? 1.0 : 2.0;
  return d;
}

// 1 decimal, no "-0".
std::string num(double v) {
  const double r = std::round(v * 10) / 10;
  return fmt::format("{}", r == 0 ? 0.0 : r);
}
// Rounded to `decimals` (0 or 1): path coordinates at a lower detail.
std::string num_at(double v, int decimals) {
  return decimals > 0 ? num(v) : fmt::format("{}", std::lround(v));
}
std::string num3(double v) {
  const double r = std::round(v * 1000) / 1000;
  return fmt::format("{}", r == 0 ? 0.0 : r);
}

Rgba colour_of(const std::string& c) { return render::parse_colour(c).value_or(Rgba{}); }

std::string rgb(const Rgba& c) {
  return fmt::format("[{},{},{},1]", num3(c.r), num3(c.g), num3(c.b));
}

struct Writer {
  const Scene& scene;
  const v1::StyleSpec& style;
  std::vector<const FrameLook*> keys;  // looks sampled as keyframes
  std::vector<int> times;              // their Lottie frames
  int op = 0;
  bool stepped = false;
  Detail detail;
  std::string out;

  double qx(double x) const { return scene.canvas / 2 + scene.scale * (x - scene.ecx); }
  double qy(double y) const { return scene.canvas / 2 + scene.scale * (y - scene.ecy); }

  // A property: static when every key has the same text, else keyframes that
  // end on the first value at `op` so the loop closes.
  std::string prop(const std::function<std::string(const FrameLook&)>& value) const {
    std::vector<std::string> v;
    for (const FrameLook* k : keys) v.push_back(value(*k));
    if (std::all_of(v.begin(), v.end(), [&](const std::string& s) { return s == v.front(); })) {
      return fmt::format("{{\"a\":0,\"k\":{}}}", v.front());
    }
    std::string s = "{\"a\":1,\"k\":[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      s += fmt::format(
          "{{\"t\":{},\"s\":{},{}\"i\":{{\"x\":[1],\"y\":[1]}},\"o\":{{\"x\":[0],\"y\":[0]}}}},",
          times[i], v[i], stepped ? "\"h\":1," : "");
    }
    s += fmt::format("{{\"t\":{},\"s\":{}}}]}}", op, v.front());
    return s;
  }

  struct Vertex {
    double x, y, ix = 0, iy = 0, ox = 0, oy = 0;
  };

  // Merges points closer than detail.merge_px (canvas px) to the last one
  // kept, and drops handles shorter than half a pixel: at the size a long
  // text is drawn, the outline looks the same with far fewer numbers. A
  // contour that would shrink below three points is kept as it is.
  void simplify(std::vector<Vertex>& contour) const {
    const double tol = detail.merge_px / scene.scale;  // in layout px
    const double tiny = 0.5 / scene.scale;
    std::vector<Vertex> kept;
    for (const Vertex& c : contour) {
      if (!kept.empty() && std::hypot(c.x - kept.back().x, c.y - kept.back().y) < tol) {
        // The merged point's outgoing handle now leaves from the kept one.
        kept.back().ox = c.x + c.ox - kept.back().x;
        kept.back().oy = c.y + c.oy - kept.back().y;
        continue;
      }
      kept.push_back(c);
    }
    if (kept.size() < 3) return;
    for (Vertex& c : kept) {
      if (std::hypot(c.ix, c.iy) < tiny) c.ix = c.iy = 0;
      if (std::hypot(c.ox, c.oy) < tiny) c.ox = c.oy = 0;
    }
    contour = std::move(kept);
  }

  void path(const Unit& u) {
    const cairo_path_t* p = u.path.get();
    if (!u.has_vector || !p) return;
    std::vector<Vertex> contour;
    auto emit = [&]() {
      // Contours end with a line back to the start; fold that duplicate vertex.
      if (contour.size() > 2 && std::abs(contour.back().x - contour.front().x) < 1e-3 &&
          std::abs(contour.back().y - contour.front().y) < 1e-3) {
        contour.front().ix = contour.back().ix;
        contour.front().iy = contour.back().iy;
        contour.pop_back();
      }
      if (detail.merge_px > 0) simplify(contour);
      if (contour.size() > 1) {  // cairo's MOVE_TO after each CLOSE_PATH leaves a 1-point stub
        std::string v, i, o;
        const int dp = detail.decimals;
        for (const Vertex& c : contour) {
          v += fmt::format("[{},{}],", num_at(qx(c.x), dp), num_at(qy(c.y), dp));
          i += fmt::format("[{},{}],", num_at(c.ix * scene.scale, dp),
                           num_at(c.iy * scene.scale, dp));
          o += fmt::format("[{},{}],", num_at(c.ox * scene.scale, dp),
                           num_at(c.oy * scene.scale, dp));
        }
        v.pop_back(), i.pop_back(), o.pop_back();
        out += fmt::format(
            "{{\"ty\":\"sh\",\"ks\":{{\"a\":0,\"k\":{{\"i\":[{}],\"o\":[{}],\"v\":[{}],\"c\":true}}"
            "}}}},",
            i, o, v);
      }
      contour.clear();
    };
    for (int k = 0; k < p->num_data; k += p->data[k].header.length) {
      const cairo_path_data_t* d = &p->data[k];
      switch (d->header.type) {
        case CAIRO_PATH_MOVE_TO:
          emit();
          contour.push_back({d[1].point.x, d[1].point.y});
          break;
        case CAIRO_PATH_LINE_TO:
          contour.push_back({d[1].point.x, d[1].point.y});
          break;
        case CAIRO_PATH_CURVE_TO: {
          if (contour.empty()) contour.push_back({d[1].point.x, d[1].point.y});
          Vertex& prev = contour.back();
          prev.ox = d[1].point.x - prev.x;
          prev.oy = d[1].point.y - prev.y;
          contour.push_back({d[3].point.x, d[3].point.y, d[2].point.x - d[3].point.x,
                             d[2].point.y - d[3].point.y});
          break;
        }
        case CAIRO_PATH_CLOSE_PATH:
          emit();
          break;
      }
    }
    emit();
  }

  void fill_item(std::size_t k) {
    const bool rainbow = std::any_of(keys.begin(), keys.end(),
                                     [&](const FrameLook* l) { return l->units[k].colour; });
    if (rainbow || style.fill().kind_case() != v1::Fill::kVerticalGradient) {
      const Rgba solid = colour_of(style.fill().solid());
      out += fmt::format(
          "{{\"ty\":\"fl\",\"c\":{},\"o\":{{\"a\":0,\"k\":100}},\"r\":1}},",
          prop([&](const FrameLook& l) { return rgb(l.units[k].colour.value_or(solid)); }));
      return;
    }
    const auto& colours = style.fill().vertical_gradient().colors();
    std::string stops;
    for (int i = 0; i < colours.size(); ++i) {
      const Rgba c = colour_of(colours[i]);
      stops +=
          fmt::format("{},{},{},{},",
                      num3(colours.size() > 1 ? static_cast<double>(i) / (colours.size() - 1) : 0),
                      num3(c.r), num3(c.g), num3(c.b));
    }
    stops.pop_back();
    const render::Box& ink = scene.fitted.ink;
    out += fmt::format(
        "{{\"ty\":\"gf\",\"o\":{{\"a\":0,\"k\":100}},\"r\":1,\"s\":{{\"a\":0,\"k\":[{},{}]}},\"e\":"
        "{{\"a\":0,\"k\":[{},{}]}},"
        "\"t\":1,\"g\":{{\"p\":{},\"k\":{{\"a\":0,\"k\":[{}]}}}}}},",
        num(qx(ink.x)), num(qy(ink.y)), num(qx(ink.x)), num(qy(ink.y + ink.height)), colours.size(),
        stops);
  }

  // `opacity`: a Lottie property, static or keyframed.
  void stroke_item(const Rgba& c, double width, const std::string& opacity) {
    out += fmt::format(
        "{{\"ty\":\"st\",\"c\":{{\"a\":0,\"k\":{}}},\"o\":{},\"w\":{{\"a\":0,\"k\":{}}},"
        "\"lc\":2,\"lj\":2}},",
        rgb(c), opacity, num(width * scene.scale));
  }
  void stroke_item(const Rgba& c, double width, double opacity) {
    stroke_item(c, width, fmt::format("{{\"a\":0,\"k\":{}}}", num(opacity * c.a * 100)));
  }

  void plain_fill_item(const Rgba& c, double opacity) {
    out += fmt::format(
        "{{\"ty\":\"fl\",\"c\":{{\"a\":0,\"k\":{}}},\"o\":{{\"a\":0,\"k\":{}}},\"r\":1}},", rgb(c),
        num(opacity * c.a * 100));
  }

  // The unit's group transform, moved by (ox, oy) layout px.
  void unit_transform(std::size_t k, double ox, double oy,
                      const std::function<double(const FrameLook&)>& dx) {
    const Unit& u = scene.units[k];
    const double ax = qx(u.cx), ay = qy(u.cy);
    out += fmt::format(
        "{{\"ty\":\"tr\",\"a\":{{\"a\":0,\"k\":[{},{}]}},\"p\":{},\"s\":{},\"r\":{},\"o\":{}}}",
        num(ax), num(ay), prop([&](const FrameLook& l) {
          const Pose& p = l.units[k];
          return fmt::format("[{},{}]", num(ax + scene.scale * (p.dx + ox + dx(l))),
                             num(ay + scene.scale * (p.dy + oy)));
        }),
        prop([&](const FrameLook& l) {
          return fmt::format("[{0},{0}]", num(100 * l.units[k].scale));
        }),
        prop([&](const FrameLook& l) { return num(l.units[k].rotate); }),
        prop([&](const FrameLook& l) { return num(100 * l.units[k].opacity); }));
  }

  // One group per unit: its paths, `items`, and its transform.
  void unit_groups(
      double ox, double oy, const std::function<void(std::size_t)>& items,
      const std::function<double(const FrameLook&)>& dx = [](const FrameLook&) { return 0.0; }) {
    for (std::size_t k = 0; k < scene.units.size(); ++k) {
      if (!scene.units[k].has_vector) continue;
      out += "{\"ty\":\"gr\",\"it\":[";
      path(scene.units[k]);
      items(k);
      unit_transform(k, ox, oy, dx);
      out += "]},";
    }
  }

  void outlines(double opacity) {
    std::vector<const v1::Stroke*> sorted;
    for (const auto& o : style.outlines()) sorted.push_back(&o);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](auto* a, auto* b) { return a->width() < b->width(); });
    for (const v1::Stroke* o : sorted) stroke_item(colour_of(o->color()), o->width(), opacity);
  }

  void bubble() {
    const auto& b = style.bubble();
    const render::Box& ink = scene.fitted.ink;
    const double w = (ink.width + 2 * b.margin()) * scene.scale,
                 h = (ink.height + 2 * b.margin()) * scene.scale;
    out += fmt::format(
        "{{\"ty\":\"gr\",\"it\":[{{\"ty\":\"rc\",\"d\":1,\"s\":{{\"a\":0,\"k\":[{},{}]}},\"p\":{{"
        "\"a\":0,\"k\":[{},{}]}},"
        "\"r\":{{\"a\":0,\"k\":{}}}}},",
        num(w), num(h), num(qx(ink.x + ink.width / 2)), num(qy(ink.y + ink.height / 2)),
        num(std::min({b.radius() * scene.scale, w / 2, h / 2})));
    plain_fill_item(colour_of(b.color()), 1);
    if (b.has_outline() && b.outline().width() > 0)
      stroke_item(colour_of(b.outline().color()), b.outline().width(), 1);
    out +=
        "{\"ty\":\"tr\",\"a\":{\"a\":0,\"k\":[0,0]},\"p\":{\"a\":0,\"k\":[0,0]},\"s\":{\"a\":0,"
        "\"k\":[100,100]},"
        "\"r\":{\"a\":0,\"k\":0},\"o\":{\"a\":0,\"k\":100}}]},";
  }

  void write() {
    const double half = scene.canvas / 2;
    const bool split_layers = detail.split_layers;
    const bool copies = detail.copies;
    out += fmt::format(
        "{{\"v\":\"5.5.2\",\"fr\":60,\"ip\":0,\"op\":{0},\"w\":512,\"h\":512,\"nm\":\"stickerd\","
        "\"ddd\":0,"
        "\"assets\":[],\"layers\":[{{\"ddd\":0,\"ind\":1,\"ty\":4,\"nm\":\"text\",\"sr\":1,\"ao\":"
        "0,"
        "\"ip\":0,\"op\":{0},\"st\":0,\"bm\":0,\"ks\":{{",
        op);
    out += fmt::format(
        "\"a\":{{\"a\":0,\"k\":[{0},{0},0]}},\"p\":{1},\"s\":{2},\"r\":{3},\"o\":{4}}},\"shapes\":"
        "[",
        num(half), prop([&](const FrameLook& l) {
          return fmt::format("[{},{},0]", num(half + scene.scale * l.whole.dx),
                             num(half + scene.scale * l.whole.dy));
        }),
        prop([&](const FrameLook& l) {
          return fmt::format("[{0},{0},100]", num(100 * l.whole.scale));
        }),
        prop([&](const FrameLook& l) { return num(l.whole.rotate); }),
        prop([&](const FrameLook& l) { return num(100 * l.whole.opacity); }));
    double outline = 0;
    for (const auto& o : style.outlines()) outline = std::max(outline, o.width());
    // Top to bottom.
    unit_groups(0, 0, [&](std::size_t k) {
      fill_item(k);
      if (!split_layers) outlines(1);
    });
    const bool glitch =
        std::any_of(keys.begin(), keys.end(), [](const FrameLook* l) { return l->glitch_dx != 0; });
    if (glitch) {
      for (double sign : {1.0, -1.0}) {
        unit_groups(
            0, 0,
            [&](std::size_t) {
              plain_fill_item(sign > 0 ? Rgba{0.1, 0.9, 1, 1} : Rgba{1, 0.1, 0.3, 1}, 0.85);
            },
            [sign](const FrameLook& l) { return sign * l.glitch_dx; });
      }
    }
    if (split_layers && style.outlines_size() > 0)
      unit_groups(0, 0, [&](std::size_t) { outlines(1); });
    if (style.has_glow() && copies) {
      const Rgba c = colour_of(style.glow().color());
      // The glow dims with a neon flicker (glow_opacity), as in the raster form.
      const std::string opacity =
          prop([&](const FrameLook& l) { return num(0.3 * l.glow_opacity * c.a * 100); });
      unit_groups(0, 0, [&](std::size_t) {
        for (int i = 1; i <= 3; ++i)
          stroke_item(c, outline + 2 * style.glow().radius() * i / 3, opacity);
      });
    }
    if (style.has_extrude() && copies) {
      const auto& e = style.extrude();
      const Rgba base = colour_of(e.color());
      constexpr int kSteps = 3;  // fewer copies than raster: each one repeats every path
      for (int j = 1; j <= kSteps; ++j) {
        const double f = 1 - 0.45 * j / kSteps;
        const Rgba c{base.r * f, base.g * f, base.b * f, base.a};
        unit_groups(e.dx() * j / kSteps, e.dy() * j / kSteps, [&](std::size_t) {
          plain_fill_item(c, 1);
          if (outline > 0) stroke_item(c, outline, 1);
        });
      }
    }
    if (style.has_shadow() && copies) {
      const Rgba c = colour_of(style.shadow().color());
      unit_groups(style.shadow().dx(), style.shadow().dy(), [&](std::size_t) {
        plain_fill_item(c, 1);
        if (outline > 0) stroke_item(c, outline, 1);
      });
    }
    if (style.has_bubble()) bubble();
    if (out.back() == ',') out.pop_back();
    out += "]}],\"tgs\":1}";
  }
};

}  // namespace

std::string lottie_json(const Scene& scene, const v1::StyleSpec& style,
                        const std::vector<FrameLook>& looks, std::uint32_t frame_ms,
                        std::uint32_t detail) {
  Writer w{scene, style, {}, {}, 0, false, detail_at(detail), {}};
  const std::uint32_t frames = static_cast<std::uint32_t>(looks.size());
  // A still style still needs a timeline: one second of a held frame.
  w.op = frames > 1 ? std::min(180, static_cast<int>(std::lround(frames * frame_ms * 60.0 / 1000)))
                    : 60;
  w.stepped = style.has_animation() && render::is_stepped(style.animation().type());
  const std::uint32_t stride = w.detail.stride;
  for (std::uint32_t i = 0; i < frames; i += stride) {
    const int t = static_cast<int>(std::lround(i * frame_ms * 60.0 / 1000));
    if (i > 0 && t >= w.op) break;
    w.keys.push_back(&looks[i]);
    w.times.push_back(t);
  }
  w.write();
  return std::move(w.out);
}

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);  // the buffer holds deflateBound bytes, so one call finishes
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<EncodedTgs> encode_tgs(const Scene& scene, const v1::StyleSpec& style,
                              const std::vector<FrameLook>& looks, std::uint32_t frame_ms) {
  std::size_t last = 0;
  for (std::uint32_t detail = 0; detail <= kMaxDetail; ++detail) {
    std::string tgs = gzip(lottie_json(scene, style, looks, frame_ms, detail));
    last = tgs.size();
    if (tgs.size() <= kTgsMaxBytes) {
      const std::uint32_t frames =
          looks.size() > 1
              ? std::min<std::uint32_t>(
                    180,
                    static_cast<std::uint32_t>(std::lround(looks.size() * frame_ms * 60.0 / 1000)))
              : 60;
      return EncodedTgs{std::move(tgs), frames, frames * 1000 / 60, detail};
    }
  }
  // Typed, so a client can tell "too much outline for 64 KB" from a bug: the
  // same text in a raster format, or shorter, renders.
  return make_error(
      v1::TEXT_TOO_LONG,
      fmt::format(
          "the text's outlines need {} bytes as a TGS even simplified, over Telegram's 64 KB "
          "cap: use a shorter text or a raster format",
          last));
}

}  // namespace stickerd::encode
