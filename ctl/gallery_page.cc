// The gallery's index.html.
#include "ctl/gallery_page.h"

#include <fmt/format.h>

#include "ctl/formats.h"

namespace stickerd::ctl {
namespace {

// `s` with &, <, >, " and ' escaped for HTML text and attribute values.
std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A checkerboard behind each sticker so transparency (and a white outline) shows.
constexpr std::string_view kStyle =
    R"(body{font-family:sans-serif;margin:1em;background:#fafafa;color:#222}
h1{font-size:1.3em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:8px}
.card img,.card video{width:256px;height:256px;display:block;margin:auto;
background:repeating-conic-gradient(#e8e8e8 0% 25%,#fff 0% 50%) 50%/24px 24px}
.card .name{font-weight:bold}
.card .meta{font-size:.85em;color:#555}
.card .error{color:#b00020;font-size:.85em;white-space:pre-wrap}
)";

std::string card(const GalleryEntry& e) {
  std::string html = "<div class=\"card\">\n";
  const std::string_view format = format_name(e.format);
  if (e.error.empty()) {
    const std::string& shown = e.preview.empty() ? e.file : e.preview;
    if (e.format == v1::FORMAT_WEBM) {
      // A video sticker plays as Telegram plays it: muted, looping, at once
      // (browsers autoplay only muted video), its alpha over the checkerboard.
      html += fmt::format(
          "<a href=\"{0}\"><video src=\"{0}\" title=\"{1} {2}\" autoplay loop muted "
          "playsinline></video></a>\n",
          html_escape(e.file), html_escape(e.style_id), format);
    } else {
      html +=
          fmt::format("<a href=\"{0}\"><img src=\"{1}\" alt=\"{2} {3}\" loading=\"lazy\"></a>\n",
                      html_escape(e.file), html_escape(shown), html_escape(e.style_id), format);
    }
  }
  html += fmt::format("<div class=\"name\">{} <span class=\"meta\">({})</span></div>\n",
                      html_escape(e.style_name), html_escape(e.style_id));
  html +=
      fmt::format("<div class=\"meta\">{} &middot; profile {}", format, profile_name(e.profile));
  if (e.error.empty()) {
    html += fmt::format(" &middot; {} bytes &middot; {} frame{}", e.bytes, e.frame_count,
                        e.frame_count == 1 ? "" : "s");
    if (e.render_us > 0)
      html += fmt::format(" &middot; rendered in {:.1f} ms", e.render_us / 1000.0);
    if (!e.preview.empty()) html += " &middot; shown: rlottie playback of the TGS";
  }
  html += "</div>\n";
  if (!e.error.empty())
    html += fmt::format("<div class=\"error\">{}</div>\n", html_escape(e.error));
  return html + "</div>\n";
}

}  // namespace

std::string gallery_page(std::string_view text, const std::vector<GalleryEntry>& entries) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>stickerd "
      "gallery: {0}</title>\n"
      "<style>\n{1}</style>\n</head>\n<body>\n<h1>&laquo;{0}&raquo; in {2} style/format "
      "pairs</h1>\n<div class=\"grid\">\n",
      html_escape(text), kStyle, entries.size());
  for (const GalleryEntry& e : entries) html += card(e);
  return html + "</div>\n</body>\n</html>\n";
}

}  // namespace stickerd::ctl
