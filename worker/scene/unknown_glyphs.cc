// Unknown glyphs: found by walking the laid-out runs.
//
// pango_layout_get_unknown_glyphs_count says how many; the code points come
// from the glyph strings: a glyph with PANGO_GLYPH_UNKNOWN_FLAG stands for the
// character at text offset item->offset + log_clusters[i]. Reading the
// character from the text (rather than the glyph's low bits) names the one the
// user sent, also for clusters of several characters.
#include "worker/scene/unknown_glyphs.h"

#include <algorithm>

#include <fmt/format.h>

namespace stickerd::render {

UnknownGlyphs find_unknown_glyphs(PangoLayout* layout) {
  UnknownGlyphs out;
  out.count = pango_layout_get_unknown_glyphs_count(layout);
  if (out.count == 0) return out;
  const char* text = pango_layout_get_text(layout);
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    const PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
    if (run == nullptr) continue;  // the end of a line
    const PangoGlyphString* glyphs = run->glyphs;
    for (int i = 0; i < glyphs->num_glyphs && out.first.size() < kListedUnknown; ++i) {
      if ((glyphs->glyphs[i].glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0) continue;
      const char* at = text + run->item->offset + glyphs->log_clusters[i];
      const auto c = static_cast<std::uint32_t>(g_utf8_get_char(at));
      if (std::find(out.first.begin(), out.first.end(), c) == out.first.end())
        out.first.push_back(c);
    }
  } while (out.first.size() < kListedUnknown && pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);
  return out;
}

std::string describe_unknown(const UnknownGlyphs& unknown) {
  std::string out = "no font has";
  for (std::size_t i = 0; i < unknown.first.size(); ++i) {
    out += fmt::format("{} U+{:04X}", i ? "," : "", unknown.first[i]);
  }
  if (unknown.first.empty()) out += " some character";
  const int more = unknown.count - static_cast<int>(unknown.first.size());
  if (more > 0)
    out += fmt::format(" ({} glyph{} in all)", unknown.count, unknown.count == 1 ? "" : "s");
  return out;
}

}  // namespace stickerd::render
