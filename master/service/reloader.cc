#include "master/service/reloader.h"

#include <fmt/format.h>

#include "common/log.h"
#include "master/config/config_reload.h"

namespace stickerd {

Result<std::string> Reloader::reload_config() {
  auto invocation = load_config(p_.source);
  if (!invocation) return invocation.error();
  const Config& fresh = invocation->config;
  const std::vector<ConfigChange> changes = diff_config(p_.loaded, fresh);
  p_.loaded = apply_live(p_.loaded, fresh);
  Config& config = p_.config;
  const unsigned workers_before = config.workers;
  config = apply_live(config, fresh);

  // Settings read per request or per new connection need nothing more.
  if (config.workers != workers_before && p_.state == RunState::kRunning) {
    p_.supervisor.resize(config.workers);
  }
  p_.queue.set_capacity(config.queue_size);
  p_.frame_budget.set_limit(config.max_request_buffer_mb << 20);
  if (p_.cache.enabled()) {  // config_reload keeps the cache on or off until a restart
    p_.cache.set_budget(config.cache_mb * 1024 * 1024);
    p_.dispatcher.publish_cache_metrics();
  }
  p_.limits.max_text_length = config.max_text_length;
  p_.limits.deadline_ms = config.deadline_ms;  // for new tasks; queued ones keep theirs
  p_.dispatcher.dispatch();                    // a larger pool or queue may take work now
  return describe_changes(changes);
}

Result<std::string> Reloader::reload_all() {
  auto config = reload_config();
  if (!config) {
    log::error("reload: the configuration is invalid, the running one and the styles stay: {}",
               config.error().message);
    return make_error(config.error().code,
                      fmt::format("the configuration is invalid, the running one and the styles "
                                  "stay: {}",
                                  config.error().message));
  }
  log::info("reload: {}", *config);
  if (auto e = reload_styles()) {
    return make_error(e->code, fmt::format("{}; the old styles stay: {}", *config, e->message));
  }
  return fmt::format("{}; reloaded {} styles from {}", *config, p_.catalogue.styles().size(),
                     p_.config.styles_dir);
}

// Re-reads the style catalogue (reload_all(), after the configuration). A bad
// catalogue keeps the old one. Workers load styles at start, so they see a new style
// after their next restart (recycling, or a rolling restart).
std::optional<Error> Reloader::reload_styles() {
  auto catalogue = StyleCatalogue::load_dir(p_.config.styles_dir);
  if (!catalogue) return catalogue.error();
  if (catalogue->styles().empty()) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("{} has no styles", p_.config.styles_dir));
  }
  log::info("reloaded {} styles from {}", catalogue->styles().size(), p_.config.styles_dir);
  p_.catalogue = std::move(*catalogue);
  return std::nullopt;
}

// SIGHUP (systemd's ExecReload): the configuration and the new catalogue
// (reload_all()), then every worker replaced one at a time, each after its
// current task, so no request fails and every worker runs the new styles.
// Operations sends READY=1 when RollingRestart::advance() sees the last one READY.
std::optional<Error> Reloader::reload_and_restart() {
  auto reloaded = reload_all();
  if (!reloaded) return reloaded.error();
  if (p_.state != RunState::kRunning) return std::nullopt;  // draining: nothing to restart for
  p_.rolling.start_for_reload();
  return std::nullopt;
}

}  // namespace stickerd
