// The sticker validator.
//
// | format        | profile  | rules                                                          |
// | tgs           | telegram | gzip, "tgs":1, 512x512, 60 fps, <= 180 frames, <= 64 KB, shape |
// |               |          | layers only, no masks/mattes/effects/expressions/gs/skew       |
// | webp, png     | telegram | one side 512, the other <= 512, <= 512 KB, still               |
// | webp          | whatsapp | 512x512, <= 100 KB, still                                      |
// | webp_animated | whatsapp | 512x512, <= 500 KB, frames >= 8 ms, <= 10 s                    |
// | webp_animated | none     | a valid animated WebP                                          |
// | webm          | telegram | one side 512, the other <= 512, <= 256 KB, <= 3 s, <= 30 fps,  |
// |               |          | one VP9 track and no audio, alpha (AlphaMode 1 and a VP9      |
// |               |          | BlockAdditional on every frame)                                |
// | webm          | none     | the same without the size, length and rate rules               |
// | webp, png     | emoji    | exactly 100x100, <= 512 KB, still (Telegram custom emoji)      |
// | webm          | emoji    | as for telegram, but exactly 100x100                           |
// | tgs           | emoji    | as for telegram (the 512 canvas)                               |
// | any           | any      | no glyph drawn as a box (the layout's unknown glyph count)     |
// TGS JSON is read with nlohmann::json (protobuf's JSON to Struct converter
// cost ~84 % of a TGS render).
#include "worker/encode/validator.h"

#include <cairo.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <zlib.h>

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "worker/encode/webm.h"
#include "worker/encode/webm_reader.h"

namespace stickerd::encode {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kKiB = 1024;
constexpr std::uint64_t kEmojiSide = 100;

// Telegram's sticker sides: one exactly 512, the other at most 512; a
// custom emoji's exactly 100x100. nullopt when `w` x `h` obeys `profile`'s.
std::optional<std::string> check_sides(std::uint64_t w, std::uint64_t h, v1::Profile profile) {
  if (profile == v1::PROFILE_TELEGRAM_EMOJI) {
    if (w == kEmojiSide && h == kEmojiSide) return std::nullopt;
    return fmt::format("a Telegram custom emoji is exactly 100x100, not {}x{}", w, h);
  }
  if ((w == 512 && h <= 512) || (h == 512 && w <= 512)) return std::nullopt;
  return fmt::format("Telegram needs one side of exactly 512 px and the other <= 512, not {}x{}", w,
                     h);
}

struct DemuxDeleter {
  void operator()(WebPDemuxer* d) const { WebPDemuxDelete(d); }
};

std::optional<std::string> check_webp(std::string_view bytes, v1::Format format,
                                      v1::Profile profile) {
  const WebPData data{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  std::unique_ptr<WebPDemuxer, DemuxDeleter> demux(WebPDemux(&data));
  if (!demux) return "not a WebP file";
  const auto w = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_WIDTH);
  const auto h = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_HEIGHT);
  const auto frames = WebPDemuxGetI(demux.get(), WEBP_FF_FRAME_COUNT);
  const bool animated = (WebPDemuxGetI(demux.get(), WEBP_FF_FORMAT_FLAGS) & ANIMATION_FLAG) != 0;
  if (format == v1::FORMAT_WEBP && (animated || frames != 1))
    return "a static sticker must have one frame";
  if (format == v1::FORMAT_WEBP_ANIMATED && !animated)
    return "an animated sticker must be an animated WebP";
  if (profile == v1::PROFILE_TELEGRAM || profile == v1::PROFILE_TELEGRAM_EMOJI) {
    if (auto why = check_sides(w, h, profile)) return why;
  }
  if (profile == v1::PROFILE_WHATSAPP && (w != 512 || h != 512)) {
    return fmt::format("WhatsApp needs 512x512, not {}x{}", w, h);
  }
  if (animated) {
    std::uint64_t total = 0;
    WebPIterator it;
    if (!WebPDemuxGetFrame(demux.get(), 1, &it)) return "the animation has no frames";
    do {
      if (profile == v1::PROFILE_WHATSAPP && it.duration < 8) {
        WebPDemuxReleaseIterator(&it);
        return fmt::format("WhatsApp needs every frame >= 8 ms, frame {} lasts {} ms", it.frame_num,
                           it.duration);
      }
      total += static_cast<std::uint64_t>(it.duration);
    } while (WebPDemuxNextFrame(&it));
    WebPDemuxReleaseIterator(&it);
    if (profile == v1::PROFILE_WHATSAPP && total > 10000) {
      return fmt::format("WhatsApp allows at most 10 s, the animation lasts {} ms", total);
    }
  }
  return std::nullopt;
}

cairo_status_t read_from(void* closure, unsigned char* data, unsigned int length) {
  auto* rest = static_cast<std::string_view*>(closure);
  if (rest->size() < length) return CAIRO_STATUS_READ_ERROR;
  std::copy(rest->begin(), rest->begin() + length, data);
  rest->remove_prefix(length);
  return CAIRO_STATUS_SUCCESS;
}

std::optional<std::string> check_png(std::string_view bytes, v1::Profile profile) {
  std::string_view rest = bytes;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> png(
      cairo_image_surface_create_from_png_stream(read_from, &rest), cairo_surface_destroy);
  if (cairo_surface_status(png.get()) != CAIRO_STATUS_SUCCESS) return "not a PNG file";
  const auto w = static_cast<std::uint64_t>(cairo_image_surface_get_width(png.get())),
             h = static_cast<std::uint64_t>(cairo_image_surface_get_height(png.get()));
  return check_sides(w, h, profile);
}

// The member `key` of an object; nullptr when absent or `v` is no object.
const Json* member(const Json& v, const char* key) {
  const auto it = v.find(key);
  return it == v.end() ? nullptr : &*it;
}

double number(const Json& s, const char* key, double fallback = -1) {
  const Json* v = member(s, key);
  return v == nullptr || !v->is_number() ? fallback : v->get<double>();
}

// A transform's skew must be absent or zero.
bool skewed(const Json& transform) {
  const Json* sk = member(transform, "sk");
  if (sk == nullptr || !sk->is_object()) return false;
  return number(*sk, "a", 0) != 0 || number(*sk, "k", 0) != 0;
}

// Walks every object of the tree for the features Telegram forbids.
std::optional<std::string> forbidden(const Json& v, bool in_layers) {
  if (v.is_array()) {
    for (const Json& item : v) {
      if (auto why = forbidden(item, in_layers)) return why;
    }
    return std::nullopt;
  }
  if (!v.is_object()) return std::nullopt;
  if (in_layers && number(v, "ty", 4) != 4) {
    return fmt::format("only shape layers (ty 4) are allowed, found a layer of type {}",
                       number(v, "ty"));
  }
  for (const char* key : {"masksProperties", "tt", "ef"}) {
    if (member(v, key)) return fmt::format("\"{}\" (masks, mattes, effects) is forbidden", key);
  }
  // "x" is also the easing handle's key; only a string "x" is an expression.
  if (const Json* x = member(v, "x"); x && x->is_string())
    return "expressions (\"x\") are forbidden";
  if (const Json* ty = member(v, "ty"); ty && ty->is_string()) {
    const auto& t = ty->get_ref<const std::string&>();
    if (t == "gs") return "gradient strokes (\"gs\") are forbidden";
    if (t == "tr" && skewed(v)) return "skew in a transform is forbidden";
    if (t == "sr" || t == "rp" || t == "mm") return fmt::format("shape \"{}\" is forbidden", t);
  }
  if (const Json* ks = member(v, "ks"); ks && ks->is_object() && in_layers) {
    if (skewed(*ks)) return "skew in a layer transform is forbidden";
  }
  for (const Json& child : v) {
    if (auto why = forbidden(child, false)) return why;
  }
  return std::nullopt;
}

std::optional<std::string> check_tgs(std::string_view bytes) {
  if (bytes.size() > 64 * kKiB)
    return fmt::format("a TGS must be <= 64 KB, this one is {} bytes", bytes.size());
  auto json = gunzip(bytes);
  if (!json) return "a TGS must be gzip-compressed";
  const Json parsed = Json::parse(*json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return "the TGS is not valid JSON";
  const Json* root = &parsed;
  if (number(*root, "tgs") != 1) return "a TGS needs \"tgs\":1";
  if (number(*root, "w") != 512 || number(*root, "h") != 512) return "a TGS canvas must be 512x512";
  if (number(*root, "fr") != 60) return "a TGS must run at 60 fps";
  const double length = number(*root, "op") - number(*root, "ip", 0);
  if (length <= 0 || length > 180)
    return fmt::format("a TGS lasts at most 180 frames (3 s), not {}", length);
  if (number(*root, "ddd", 0) != 0) return "3D layers are forbidden";
  const Json* layers = member(*root, "layers");
  if (layers == nullptr || !layers->is_array()) return "a TGS needs a layer list";
  if (const Json* assets = member(*root, "assets");
      assets && assets->is_array() && !assets->empty()) {
    return "assets (images, precomps) are forbidden";
  }
  return forbidden(*layers, true);
}

// The WebM is parsed back with libwebm (webm_reader.h); the VP9 frames are
// not decoded here: the tests decode them.
std::optional<std::string> check_webm(std::string_view bytes, v1::Profile profile) {
  auto read = read_webm(bytes);
  if (!read) return read.error().message;
  const WebmContents& w = *read;
  if (w.doc_type != "webm") return fmt::format("the DocType is \"{}\", not webm", w.doc_type);
  if (w.audio_tracks > 0) return "a video sticker has no audio track";
  if (w.video_tracks != 1 || w.other_tracks > 0) return "a video sticker has one track, a video";
  if (w.codec_id != "V_VP9") return fmt::format("the codec is {}, not V_VP9", w.codec_id);
  if (w.alpha_mode != 1) return "the video track has no alpha (AlphaMode is not 1)";
  if (w.frames.empty()) return "the video has no frame";
  for (std::size_t i = 0; i < w.frames.size(); ++i) {
    if (w.frames[i].alpha.empty())
      return fmt::format("frame {} has no alpha (no BlockAdditional with id 1)", i);
  }
  if (profile == v1::PROFILE_NONE) return std::nullopt;
  if (profile == v1::PROFILE_TELEGRAM_EMOJI) {
    if (auto why = check_sides(w.width, w.height, profile)) return why;
  } else if (check_sides(w.width, w.height, profile)) {
    return fmt::format("a video sticker has one side of 512 and the other at most 512, not {}x{}",
                       w.width, w.height);
  }
  // The last frame's duration: DefaultDuration, else as long as the one before.
  const std::int64_t last = w.frames.back().time_ms;
  std::int64_t shortest =
      w.default_duration_ns ? static_cast<std::int64_t>(w.default_duration_ns / 1000000) : 0;
  for (std::size_t i = 1; i < w.frames.size(); ++i) {
    const std::int64_t gap = w.frames[i].time_ms - w.frames[i - 1].time_ms;
    if (shortest == 0 || gap < shortest) shortest = gap;
  }
  const double length_ms = std::max(w.duration_ms, static_cast<double>(last + shortest));
  if (length_ms > 3000)
    return fmt::format("a video sticker lasts at most 3 s, not {} ms", length_ms);
  // Millisecond timestamps: 30 fps frames are 33 or 34 ms apart.
  if (shortest < 1000 / static_cast<std::int64_t>(kWebmMaxFps)) {
    return fmt::format("a video sticker runs at most {} fps: frames are {} ms apart", kWebmMaxFps,
                       shortest);
  }
  return std::nullopt;
}

}  // namespace

std::size_t max_bytes(v1::Format format, v1::Profile profile) {
  if (format == v1::FORMAT_TGS) return 64 * kKiB;
  if (format == v1::FORMAT_WEBM) return profile == v1::PROFILE_NONE ? 0 : 256 * kKiB;
  switch (profile) {
    case v1::PROFILE_WHATSAPP:
      return format == v1::FORMAT_WEBP_ANIMATED ? 500 * kKiB : 100 * kKiB;
    case v1::PROFILE_NONE:
      return 0;
    default:
      return 512 * kKiB;
  }
}

std::optional<std::string> gunzip(std::string_view bytes) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  std::unique_ptr<z_stream, decltype(&inflateEnd)> owner(&z, inflateEnd);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buffer[16384];
  int status = Z_OK;
  while (status == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    status = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
    if (out.size() > 16 * 1024 * 1024) return std::nullopt;  // a decompression bomb, not a sticker
  }
  if (status != Z_STREAM_END) return std::nullopt;
  return out;
}

std::optional<std::string> check_text(int unknown_glyphs) {
  if (unknown_glyphs <= 0) return std::nullopt;
  return fmt::format("{} glyph{} would show as a box: no font has the character", unknown_glyphs,
                     unknown_glyphs == 1 ? "" : "s");
}

std::optional<std::string> check_sticker(std::string_view bytes, v1::Format format,
                                         v1::Profile profile) {
  if (profile == v1::PROFILE_UNSPECIFIED) profile = v1::PROFILE_TELEGRAM;
  if (const std::size_t cap = max_bytes(format, profile); cap && bytes.size() > cap) {
    return fmt::format("the file is {} bytes, over the {} byte cap", bytes.size(), cap);
  }
  switch (format) {
    case v1::FORMAT_TGS:
      return check_tgs(bytes);
    case v1::FORMAT_PNG:
      return check_png(bytes, profile);
    case v1::FORMAT_WEBM:
      return check_webm(bytes, profile);
    case v1::FORMAT_WEBP:
    case v1::FORMAT_WEBP_ANIMATED:
      return check_webp(bytes, format, profile);
    default:
      return "unknown format";
  }
}

}  // namespace stickerd::encode
