// ResultCache: key derivation and the byte-budgeted LRU.
#include "master/cache/result_cache.h"

#include <glib.h>

#include <memory>

#include "common/checksum_field.h"

namespace stickerd {
namespace {

std::string_view trim_unicode_space(std::string_view s) {
  auto space_at = [](const char* p) { return g_unichar_isspace(g_utf8_get_char(p)); };
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  while (begin < end && space_at(begin)) begin = g_utf8_next_char(begin);
  while (end > begin) {
    const char* last = g_utf8_find_prev_char(begin, end);
    if (last == nullptr || !space_at(last)) break;
    end = last;
  }
  return {begin, static_cast<std::size_t>(end - begin)};
}

}  // namespace

std::string cache_key(std::string_view text, std::string_view config_id, v1::Format format,
                      v1::Profile profile, std::string_view renderer_version) {
  // NFC so that "é" typed precomposed or as e + U+0301 is one sticker: both
  // render the same glyphs.
  std::unique_ptr<gchar, decltype(&g_free)> nfc(
      g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)
          ? g_utf8_normalize(text.data(), static_cast<gssize>(text.size()), G_NORMALIZE_NFC)
          : nullptr,
      &g_free);
  const std::string_view canonical = nfc ? trim_unicode_space(nfc.get()) : text;

  std::unique_ptr<GChecksum, decltype(&g_checksum_free)> sum(g_checksum_new(G_CHECKSUM_SHA256),
                                                             &g_checksum_free);
  checksum_field(sum.get(), "stickerd-cache-v1");
  checksum_field(sum.get(), canonical);
  checksum_field(sum.get(), config_id);
  checksum_field(sum.get(), std::to_string(static_cast<int>(format)));
  checksum_field(sum.get(), std::to_string(static_cast<int>(profile)));
  checksum_field(sum.get(), renderer_version);
  return g_checksum_get_string(sum.get());
}

std::size_t ResultCache::charge(const std::string& key, const v1::Sticker& sticker) {
  constexpr std::size_t kOverhead = 256;  // list node, map node, message fields
  return sticker.data().size() + sticker.style_id().size() + sticker.mime_type().size() +
         2 * key.size() + kOverhead;
}

const v1::Sticker* ResultCache::get(const std::string& key) {
  if (!enabled()) return nullptr;
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++counts_.misses;
    return nullptr;
  }
  ++counts_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->sticker;
}

bool ResultCache::put(const std::string& key, v1::Sticker sticker) {
  if (!enabled()) return false;
  const std::size_t cost = charge(key, sticker);
  if (cost > budget_) return false;
  if (auto it = index_.find(key); it != index_.end()) erase(it->second);
  while (counts_.bytes + cost > budget_ && !lru_.empty()) {
    erase(std::prev(lru_.end()));
    ++counts_.evictions;
  }
  lru_.push_front(Entry{key, std::move(sticker), cost});
  index_.emplace(key, lru_.begin());
  counts_.bytes += cost;
  counts_.entries = lru_.size();
  ++counts_.insertions;
  return true;
}

void ResultCache::set_budget(std::size_t budget_bytes) {
  budget_ = budget_bytes;
  while (counts_.bytes > budget_ && !lru_.empty()) {
    erase(std::prev(lru_.end()));
    ++counts_.evictions;
  }
}

void ResultCache::erase(std::list<Entry>::iterator it) {
  counts_.bytes -= it->charge;
  index_.erase(it->key);
  lru_.erase(it);
  counts_.entries = lru_.size();
}

}  // namespace stickerd
