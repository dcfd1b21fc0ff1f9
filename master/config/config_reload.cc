// ConfigReload: the settings table's Reload class of each row decides
// whether its change applies live.
#include "master/config/config_reload.h"

#include <algorithm>

#include <fmt/format.h>

#include "master/config/settings.h"

namespace stickerd {
namespace {

// Dynamic sizing is off when both bounds equal the pool size.
bool fixed_pool(const Config& c) { return c.min_workers == c.max_workers; }

// A fixed pool resizes in place (its bounds follow --workers); a dynamic
// pool's bounds belong to the scaler, built once at start.
bool pool_live(const Config& running, const Config& loaded) {
  return fixed_pool(running) && fixed_pool(loaded);
}

// The cache may change its budget, not whether it exists.
bool cache_live(const Config& running, const Config& loaded) {
  return (running.cache_mb == 0) == (loaded.cache_mb == 0);
}

bool applies(const Setting& s, const Config& running, const Config& loaded) {
  switch (s.reload) {
    case Reload::kPoolSize:
    case Reload::kPoolBound:
      return pool_live(running, loaded);
    case Reload::kCacheBudget:
      return cache_live(running, loaded);
    case Reload::kLive:
      return true;
    case Reload::kRestart:
      break;
  }
  return false;
}

// The rows a reply lists, in its order: by Reload class, then as --help.
const std::vector<const Setting*>& reply_order() {
  static const std::vector<const Setting*> rows = [] {
    auto v = settings_by_section();
    std::erase_if(v, [](const Setting* s) { return s->field.get == nullptr; });
    std::ranges::stable_sort(v, {}, &Setting::reload);
    return v;
  }();
  return rows;
}

std::string show(const Setting& s, const Config& c) {
  std::string value = s.field.get(c);
  if (value.empty()) return "(none)";
  return s.shown ? s.shown(value) : value;
}

}  // namespace

std::vector<ConfigChange> diff_config(const Config& running, const Config& loaded) {
  std::vector<ConfigChange> changes;
  const bool pool = pool_live(running, loaded);
  for (const Setting* s : reply_order()) {
    if (s->reload == Reload::kPoolBound && pool)
      continue;  // in a fixed pool the bounds only follow workers
    std::string before = show(*s, running);
    std::string after = show(*s, loaded);
    if (before != after) {
      changes.push_back(
          {std::string(s->key), std::move(before), std::move(after), applies(*s, running, loaded)});
    }
  }
  return changes;
}

Config apply_live(const Config& running, const Config& loaded) {
  Config out = running;
  for (const Setting& s : settings()) {
    if (s.field.copy != nullptr && applies(s, running, loaded)) s.field.copy(out, loaded);
  }
  return out;
}

std::string describe_changes(const std::vector<ConfigChange>& changes) {
  if (changes.empty()) return "configuration unchanged";
  std::vector<std::string> parts;
  for (const ConfigChange& c : changes) {
    parts.push_back(fmt::format("{} {} -> {} ({})", c.key, c.before, c.after,
                                c.live ? "applied" : "needs a restart"));
  }
  return fmt::format("configuration: {}", fmt::join(parts, "; "));
}

}  // namespace stickerd
