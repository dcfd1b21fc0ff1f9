// PoisonList: fingerprints of worker-killing requests with a TTL.
#include "master/requests/poison_list.h"

#include <algorithm>
#include <functional>

namespace stickerd {
namespace {

constexpr std::size_t kPreviewBytes = 40;

std::string preview(const std::string& text) {
  if (text.size() <= kPreviewBytes) return text;
  std::size_t cut = kPreviewBytes;
  // Never cut a UTF-8 sequence in half: back up to a lead byte.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

}  // namespace

std::uint64_t request_fingerprint(const TaskSpec& spec, std::string_view config_id) {
  // Fields are joined with a separator that cannot occur in the numbers, and
  // the text goes last, so no two different requests share the key string.
  std::string key;
  key.reserve(spec.text.size() + config_id.size() + 16);
  key.append(config_id);
  key.push_back('\x1f');
  key.append(std::to_string(static_cast<int>(spec.format)));
  key.push_back('\x1f');
  key.append(std::to_string(static_cast<int>(spec.profile)));
  key.push_back('\x1f');
  key.append(spec.style_id);
  key.push_back('\x1f');
  key.append(spec.text);
  return std::hash<std::string>{}(key);
}

void PoisonList::add(std::uint64_t fp, const TaskSpec& spec, DeathCause cause, std::uint32_t kills,
                     std::uint64_t now_ms) {
  PoisonEntry& e = entries_[fp];
  if (e.fingerprint == 0) {
    e.fingerprint = fp;
    e.first_seen_ms = now_ms;
    e.style_id = spec.style_id;
    e.text_preview = preview(spec.text);
  }
  e.cause = cause;
  e.kills += kills;
  e.last_seen_ms = now_ms;
}

const PoisonEntry* PoisonList::refuse(std::uint64_t fp, std::uint64_t now_ms) {
  expire(now_ms);
  auto it = entries_.find(fp);
  if (it == entries_.end()) return nullptr;
  ++it->second.refused;
  return &it->second;
}

std::vector<PoisonEntry> PoisonList::list(std::uint64_t now_ms) {
  expire(now_ms);
  std::vector<PoisonEntry> out;
  for (const auto& [fp, e] : entries_) out.push_back(e);
  std::sort(out.begin(), out.end(), [](const PoisonEntry& a, const PoisonEntry& b) {
    return a.first_seen_ms < b.first_seen_ms;
  });
  return out;
}

void PoisonList::expire(std::uint64_t now_ms) {
  std::erase_if(entries_,
                [&](const auto& kv) { return now_ms - kv.second.last_seen_ms >= ttl_ms_; });
}

}  // namespace stickerd
