// Text layout and auto-fit by binary search over the font size.
//
// Fitting measures INK extents (what is actually painted), not logical ones:
// logical boxes miss accents and overhangs and would let them clip. The ink is
// grown by half the widest outline on every side and by the shadow offset on
// its side, so the finished drawing, not just the glyphs, fits the box.
//
// Words stay whole (PANGO_WRAP_WORD) unless one word is so long that keeping
// it whole shrinks the font below kSmallFontPx while breaking it inside
// (PANGO_WRAP_WORD_CHAR) gives a clearly larger font; a long sentence of
// ordinary words therefore never has its words broken. A text too long for
// max_lines at the smallest font gets more lines; one too long for the
// canvas at any size is scaled down as a whole, never clipped.
#include "worker/scene/layout.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace stickerd::render {
namespace {

constexpr int kSmallFontPx = 40;
constexpr double kBreakGain = 1.25;

Box to_box(const PangoRectangle& r) {
  return Box{static_cast<double>(r.x) / PANGO_SCALE, static_cast<double>(r.y) / PANGO_SCALE,
             static_cast<double>(r.width) / PANGO_SCALE,
             static_cast<double>(r.height) / PANGO_SCALE};
}

Box grow(const Box& ink, const FitBox& box) {
  Box e;
  e.x = ink.x - box.outset + std::min(0.0, box.shadow_dx);
  e.y = ink.y - box.outset + std::min(0.0, box.shadow_dy);
  e.width = ink.width + 2 * box.outset + std::abs(box.shadow_dx);
  e.height = ink.height + 2 * box.outset + std::abs(box.shadow_dy);
  return e;
}

// Emoji and the characters that join or modify them: the ranges an outline
// emoji font must take over from the colour one.
bool is_emoji_part(gunichar c) {
  return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
         (c >= 0x2B00 && c <= 0x2BFF) || (c >= 0xFE00 && c <= 0xFE0F) || c == 0x200D ||
         (c >= 0xE0020 && c <= 0xE007F) || c == 0x20E3;
}

// Pango gives any character with emoji presentation to the colour emoji
// font, whatever family is asked for; a text presentation selector (U+FE0E)
// after each emoji lifts that, so the family attribute below can choose an
// outline font. Existing emoji presentation selectors (U+FE0F) are dropped.
std::string with_text_presentation(std::string_view text) {
  std::string out;
  const char* end = text.data() + text.size();
  for (const char* p = text.data(); p < end; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    if (c == 0xFE0F || c == 0xFE0E) continue;
    out.append(p, static_cast<std::size_t>(g_utf8_next_char(p) - p));
    if (is_emoji_part(c) && c != 0x200D && c != 0x20E3 && !(c >= 0xE0020 && c <= 0xE007F))
      out += "\xEF\xB8\x8E";
  }
  return out;
}

// Hangul: Korean separates words with spaces, so a line breaks between words
// only ("keep-all"); UAX #14 would allow a break between any two syllables
// and split words.
bool is_hangul(gunichar c) {
  return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
         (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7FF);
}

// Adds `make()` over every maximal run of characters for which `in_run` holds.
template <typename InRun, typename Make>
void mark_runs(PangoAttrList* attrs, std::string_view text, InRun in_run, Make make) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  for (const char* p = begin; p < end;) {
    const char* next = g_utf8_next_char(p);
    if (in_run(g_utf8_get_char(p))) {
      const char* run_end = next;
      while (run_end < end && in_run(g_utf8_get_char(run_end))) run_end = g_utf8_next_char(run_end);
      PangoAttribute* a = make();
      a->start_index = static_cast<guint>(p - begin);
      a->end_index = static_cast<guint>(run_end - begin);
      pango_attr_list_insert(attrs, a);
      next = run_end;
    }
    p = next;
  }
}

// The layout's attributes: no breaks inside Korean words, and for vector
// output `emoji_family` forced on every run of emoji characters.
void set_attributes(PangoLayout* layout, std::string_view text, const std::string& emoji_family) {
  PangoAttrList* attrs = pango_attr_list_new();
  mark_runs(attrs, text, is_hangul, [] { return pango_attr_allow_breaks_new(FALSE); });
  if (!emoji_family.empty()) {
    mark_runs(attrs, text, is_emoji_part,
              [&] { return pango_attr_family_new(emoji_family.c_str()); });
  }
  pango_layout_set_attributes(layout, attrs);
  pango_attr_list_unref(attrs);
}

class Fitter {
 public:
  Fitter(PangoLayout* layout, PangoFontDescription* font, const FitBox& box)
      : layout_(layout), font_(font), box_(box) {}

  // Lays out at `px` and reports whether the result fits.
  bool fits(int px) {
    pango_font_description_set_absolute_size(font_, px * PANGO_SCALE);
    pango_layout_set_font_description(layout_, font_);
    PangoRectangle ink;
    pango_layout_get_extents(layout_, &ink, nullptr);
    const Box extent = grow(to_box(ink), box_);
    const auto lines = static_cast<std::uint32_t>(pango_layout_get_line_count(layout_));
    return lines <= max_lines_ && extent.width <= box_.width && extent.height <= box_.height;
  }

  // The largest size in [kMinFontPx, kMaxFontPx] that fits, or 0 when none does.
  int largest_fit(PangoWrapMode wrap, std::uint32_t max_lines) {
    pango_layout_set_wrap(layout_, wrap);
    max_lines_ = max_lines;
    if (!fits(kMinFontPx)) return 0;
    int lo = kMinFontPx, hi = kMaxFontPx + 1;  // fits(lo), !fits(hi) (or past the range)
    while (hi - lo > 1) {
      const int mid = lo + (hi - lo) / 2;
      (fits(mid) ? lo : hi) = mid;
    }
    return lo;
  }

 private:
  PangoLayout* layout_;
  PangoFontDescription* font_;
  const FitBox& box_;
  std::uint32_t max_lines_ = 0;
};

}  // namespace

Result<FittedLayout> fit_layout(PangoContext* context, std::string_view text,
                                const std::string& font, const FitBox& box) {
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    return make_error(v1::INVALID_ARGUMENT, "text is not valid UTF-8");
  }
  const double wrap_width = box.width - 2 * box.outset - std::abs(box.shadow_dx);
  if (wrap_width < 1 || box.height - 2 * box.outset - std::abs(box.shadow_dy) < 1) {
    return make_error(v1::INVALID_ARGUMENT,
                      "the style's padding, outline and shadow leave no room for text");
  }

  FittedLayout out;
  out.layout.reset(pango_layout_new(context));
  PangoLayout* layout = out.layout.get();
  // Plain text, never markup: user text with '<' or '&' must not be parsed.
  const std::string vector_text =
      box.emoji_font.empty() ? std::string() : with_text_presentation(text);
  if (!box.emoji_font.empty()) text = vector_text;
  pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
  pango_layout_set_width(layout, static_cast<int>(wrap_width * PANGO_SCALE));
  pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
  pango_layout_set_auto_dir(layout,
                            TRUE);  // RTL text takes its direction from its first strong character
  set_attributes(layout, text, box.emoji_font);

  picture::PangoFontDescriptionPtr desc(pango_font_description_from_string(font.c_str()));
  if (!box.fallback.empty()) {
    const char* family = pango_font_description_get_family(desc.get());
    const std::string families = fmt::format("{},{}", family ? family : "", box.fallback);
    pango_font_description_set_family(desc.get(), families.c_str());
  }
  Fitter fitter(layout, desc.get(), box);
  const std::uint32_t max_lines = box.max_lines ? box.max_lines : kDefaultMaxLines;
  int px = fitter.largest_fit(PANGO_WRAP_WORD, max_lines);
  PangoWrapMode wrap = PANGO_WRAP_WORD;
  if (px < kSmallFontPx) {
    const int char_px = fitter.largest_fit(PANGO_WRAP_WORD_CHAR, max_lines);
    if (px == 0 || char_px >= px * kBreakGain) {
      px = char_px;
      wrap = PANGO_WRAP_WORD_CHAR;
    }
  }
  if (px == 0) {
    // Too long for max_lines even at the smallest font: more lines beat a
    // smaller font. Only text beyond that is scaled down (FittedLayout::scale).
    for (PangoWrapMode relaxed : {PANGO_WRAP_WORD, PANGO_WRAP_WORD_CHAR}) {
      wrap = relaxed;
      px = fitter.largest_fit(relaxed, UINT32_MAX);
      if (px) break;
    }
  }
  pango_layout_set_wrap(layout, wrap);
  fitter.fits(px ? px : kMinFontPx);  // leaves the layout at the chosen size

  PangoRectangle ink;
  pango_layout_get_extents(layout, &ink, nullptr);
  out.ink = to_box(ink);
  if (out.ink.width <= 0 || out.ink.height <= 0) {
    return make_error(v1::INVALID_ARGUMENT, "text has no visible characters");
  }
  out.extent = grow(out.ink, box);
  out.font_px = px ? px : kMinFontPx;
  out.line_count = pango_layout_get_line_count(layout);
  out.words_broken = wrap == PANGO_WRAP_WORD_CHAR;
  out.scale = std::min({1.0, box.width / out.extent.width, box.height / out.extent.height});
  out.unknown = find_unknown_glyphs(layout);
  return out;
}

}  // namespace stickerd::render
