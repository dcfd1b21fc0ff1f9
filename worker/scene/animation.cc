// The animation types as functions of the loop phase.
//
// Every motion is periodic in the phase t = frame / frames, so the loop joins
// without a jump, and every type is at rest (or shows every unit) at t = 0:
// WhatsApp shows frame 0 as the still, and Telegram's first impression is the
// same frame.
#include "worker/scene/animation.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stickerd::render {
namespace {

constexpr double kTau = 2 * std::numbers::pi;

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [-1, 1], a pure function of its inputs.
double noise(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  const std::uint64_t h = splitmix(seed ^ splitmix(a * 0x100000001b3ULL + b));
  return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 52) - 1.0;
}

double wrap01(double x) { return x - std::floor(x); }

// 0 -> 1 -> 0 over the first `width` of the phase, 0 after.
double bump(double u, double width) {
  return u < width ? std::sin(std::numbers::pi * u / width) : 0.0;
}

Rgba mix(const Rgba& a, const Rgba& b, double f) {
  return Rgba{a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f,
              a.a + (b.a - a.a) * f};
}

// A colour from a looped palette at phase u.
Rgba palette_at(const v1::Animation& a, double u) {
  static const char* const kRainbow[] = {"#FF1744", "#FF9100", "#FFEA00",
                                         "#00E676", "#2979FF", "#D500F9"};
  std::vector<Rgba> colours;
  for (const auto& c : a.colors()) colours.push_back(parse_colour(c).value_or(Rgba{}));
  if (colours.size() < 2) {
    colours.clear();
    for (const char* c : kRainbow) colours.push_back(*parse_colour(c));
  }
  const double x = wrap01(u) * static_cast<double>(colours.size());
  const auto i = static_cast<std::size_t>(x) % colours.size();
  return mix(colours[i], colours[(i + 1) % colours.size()], x - std::floor(x));
}

double or_default(double v, double fallback) { return v > 0 ? v : fallback; }

}  // namespace

bool is_animated(const v1::StyleSpec& style) {
  return style.has_animation() && style.animation().type() != v1::ANIMATION_NONE;
}

Timing timing(const v1::StyleSpec& style) {
  if (!is_animated(style)) return Timing{1, 0};
  const auto& a = style.animation();
  return Timing{a.frames() ? a.frames() : 30, a.frame_ms() ? a.frame_ms() : 100};
}

bool is_stepped(v1::AnimationType type) {
  return type == v1::ANIMATION_TYPEWRITER || type == v1::ANIMATION_SHAKE ||
         type == v1::ANIMATION_NEON_FLICKER || type == v1::ANIMATION_GLITCH;
}

std::uint64_t animation_seed(std::string_view text, const v1::StyleSpec& style) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  auto eat = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;
  };
  eat(text);
  eat(style.id());
  return h;
}

FrameLook look_at(const v1::StyleSpec& style, std::uint32_t frame, std::uint32_t frames,
                  std::size_t unit_count, std::uint64_t seed) {
  FrameLook look;
  look.units.resize(unit_count);
  if (!is_animated(style) || frames == 0) return look;
  const auto& a = style.animation();
  const double t = static_cast<double>(frame % frames) / frames;
  const double n = static_cast<double>(std::max<std::size_t>(unit_count, 1));
  switch (a.type()) {
    case v1::ANIMATION_BOUNCE: {
      // Two hops per loop: |sin| has the sharp turn of a landing at the bottom.
      look.whole.dy = -or_default(a.amplitude(), 40) * std::abs(std::sin(kTau * t));
      break;
    }
    case v1::ANIMATION_WAVE: {
      const double step = or_default(a.phase_step(), 0.08);
      for (std::size_t k = 0; k < unit_count; ++k) {
        look.units[k].dy =
            -or_default(a.amplitude(), 18) * std::sin(kTau * (t - step * static_cast<double>(k)));
      }
      break;
    }
    case v1::ANIMATION_JUMP: {
      const double step = or_default(a.phase_step(), 1.0 / (n + 2));
      for (std::size_t k = 0; k < unit_count; ++k) {
        look.units[k].dy =
            -or_default(a.amplitude(), 30) * bump(wrap01(t - step * static_cast<double>(k)), 0.2);
      }
      break;
    }
    case v1::ANIMATION_TYPEWRITER: {
      // Full at first (the still), then typed out unit by unit, full at the end.
      if (t >= 0.1 && t < 0.85) {
        const double shown = (t - 0.1) / 0.75 * (n + 1);
        for (std::size_t k = 0; k < unit_count; ++k) {
          look.units[k].opacity = static_cast<double>(k) < std::floor(shown) ? 1 : 0;
        }
      }
      break;
    }
    case v1::ANIMATION_SHAKE: {
      if (frame % frames == 0) break;
      const double amp = or_default(a.amplitude(), 6);
      for (std::size_t k = 0; k < unit_count; ++k) {
        Pose& p = look.units[k];
        p.dx = amp * noise(seed, frame, k * 3);
        p.dy = amp * noise(seed, frame, k * 3 + 1);
        p.rotate = amp * 1.5 * noise(seed, frame, k * 3 + 2);
      }
      break;
    }
    case v1::ANIMATION_PULSE:
      look.whole.scale = 1 + or_default(a.amplitude(), 0.15) * (0.5 - 0.5 * std::cos(kTau * t));
      break;
    case v1::ANIMATION_SWING:
      look.whole.rotate = or_default(a.amplitude(), 12) * std::sin(kTau * t);
      break;
    case v1::ANIMATION_ZOOM_POP: {
      const double step = or_default(a.phase_step(), 1.0 / (n + 2));
      for (std::size_t k = 0; k < unit_count; ++k) {
        look.units[k].scale = 1 + or_default(a.amplitude(), 0.4) *
                                      bump(wrap01(t - step * static_cast<double>(k)), 0.25);
      }
      break;
    }
    case v1::ANIMATION_NEON_FLICKER: {
      if (frame % frames == 0) break;
      // About one frame in four drops out, some only halfway, like a failing tube.
      const double r = noise(seed, frame, 7);
      if (r > 0.5) {
        look.whole.opacity = r > 0.8 ? 0.25 : 0.6;
        look.glow_opacity = 0.2;
      }
      break;
    }
    case v1::ANIMATION_RAINBOW: {
      const double step = or_default(a.phase_step(), 0.06);
      for (std::size_t k = 0; k < unit_count; ++k)
        look.units[k].colour = palette_at(a, t + step * static_cast<double>(k));
      break;
    }
    case v1::ANIMATION_GLITCH: {
      if (frame % frames == 0) break;
      const double r = noise(seed, frame, 11);
      if (r > 0.3) {
        const double amp = or_default(a.amplitude(), 8);
        look.glitch_dx = amp * (r > 0.65 ? 1.0 : -1.0);
        look.whole.dx = amp * 0.5 * noise(seed, frame, 12);
      }
      break;
    }
    case v1::ANIMATION_BENCH_BOUNCE: {
      // The benchmark's definition (perf-anchors.md): translate and scale about the centre.
      const double s = std::sin(kTau * t);
      look.whole.dy = 20 * s;
      look.whole.scale = 1 + 0.08 * s;
      break;
    }
    default:
      break;
  }
  return look;
}

}  // namespace stickerd::render
