// ConfigReload: one table of settings, each with how to print it, whether it
// applies live, and how to copy it over.
#include "master/config/config_reload.h"

#include <functional>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

namespace stickerd {
namespace {

struct Setting {
  std::string_view key;
  std::function<std::string(const Config&)> show;
  // Copies the setting from `from` into `to`; empty: restart-only.
  std::function<void(Config& to, const Config& from)> apply;
};

template <typename T>
std::string show(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value.empty() ? "(none)" : value;
  } else {
    return std::to_string(value);
  }
}

template <auto Field>
Setting live(std::string_view key) {
  return {key, [](const Config& c) { return show(c.*Field); },
          [](Config& to, const Config& from) { to.*Field = from.*Field; }};
}

template <auto Field>
Setting restart_only(std::string_view key) {
  return {key, [](const Config& c) { return show(c.*Field); }, nullptr};
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table{
      live<&Config::queue_size>("queue_size"),
      live<&Config::max_text_length>("max_text_length"),
      live<&Config::deadline_ms>("deadline_ms"),
      live<&Config::max_retries>("max_retries"),
      live<&Config::drain_grace_ms>("drain_grace_ms"),
      live<&Config::max_connections>("max_connections"),
      live<&Config::max_connections_per_uid>("max_connections_per_uid"),
      live<&Config::idle_timeout_ms>("idle_timeout_ms"),
      live<&Config::max_inflight>("max_inflight"),
      live<&Config::max_write_buffer_mb>("max_write_buffer_mb"),
      live<&Config::max_request_frame_kb>("max_request_frame_kb"),
      live<&Config::max_request_buffer_mb>("max_request_buffer_mb"),
      restart_only<&Config::socket_path>("socket"),
      restart_only<&Config::styles_dir>("styles"),
      restart_only<&Config::worker_binary>("worker_binary"),
      restart_only<&Config::max_frame_bytes>("max_frame_bytes"),
      restart_only<&Config::poison_ttl_s>("poison_ttl_s"),
      restart_only<&Config::max_tasks_per_worker>("max_tasks_per_worker"),
      restart_only<&Config::max_worker_rss_mb>("max_worker_rss_mb"),
      restart_only<&Config::enable_test_styles>("enable_test_styles"),
      restart_only<&Config::metrics_address>("metrics_address"),
      restart_only<&Config::control_socket>("control_socket"),
      restart_only<&Config::control_group>("control_group"),
      restart_only<&Config::scale_idle_ms>("scale_idle_ms"),
  };
  return table;
}

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

}  // namespace

std::vector<ConfigChange> diff_config(const Config& running, const Config& loaded) {
  std::vector<ConfigChange> changes;
  const auto add = [&](std::string_view key, std::string before, std::string after, bool live) {
    if (before != after) changes.push_back({std::string(key), std::move(before), std::move(after), live});
  };
  const bool pool = pool_live(running, loaded);
  add("workers", show(running.workers), show(loaded.workers), pool);
  if (!pool) {  // in a fixed pool the bounds only follow workers
    add("min_workers", show(running.min_workers), show(loaded.min_workers), false);
    add("max_workers", show(running.max_workers), show(loaded.max_workers), false);
  }
  add("cache_mb", show(running.cache_mb), show(loaded.cache_mb), cache_live(running, loaded));
  for (const Setting& s : settings()) {
    add(s.key, s.show(running), s.show(loaded), s.apply != nullptr);
  }
  return changes;
}

Config apply_live(const Config& running, const Config& loaded) {
  Config out = running;
  if (pool_live(running, loaded)) {
    out.workers = loaded.workers;
    out.min_workers = loaded.min_workers;
    out.max_workers = loaded.max_workers;
  }
  if (cache_live(running, loaded)) out.cache_mb = loaded.cache_mb;
  for (const Setting& s : settings()) {
    if (s.apply) s.apply(out, loaded);
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
