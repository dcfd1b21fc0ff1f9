// Server: reloading the configuration (stickerctl reload, SIGHUP). The
// configuration is rebuilt from the sources main() used, compared with the
// running one (master/config_reload.h), and its live changes are applied to
// the pool, the queue, the cache and admission; the rest waits for a restart.
#include <fmt/format.h>

#include "common/log.h"
#include "master/config/config_reload.h"
#include "master/server.h"

namespace stickerd {

Result<std::string> Server::reload_config() {
  auto invocation = load_config(source_);
  if (!invocation) return invocation.error();
  const Config& fresh = invocation->config;
  const std::vector<ConfigChange> changes = diff_config(loaded_, fresh);
  loaded_ = apply_live(loaded_, fresh);
  const unsigned workers_before = config_.workers;
  config_ = apply_live(config_, fresh);

  // Settings read per request or per new connection need nothing more.
  if (config_.workers != workers_before && state_ == State::kRunning) {
    supervisor_.resize(config_.workers);
  }
  queue_.set_capacity(config_.queue_size);
  frame_budget_.set_limit(config_.max_request_buffer_mb << 20);
  if (cache_.enabled()) {  // config_reload keeps the cache on or off until a restart
    cache_.set_budget(config_.cache_mb * 1024 * 1024);
    publish_cache_metrics();
  }
  limits_.max_text_length = config_.max_text_length;
  limits_.deadline_ms = config_.deadline_ms;  // for new tasks; queued ones keep theirs
  dispatch();  // a larger pool or queue may take work now
  return describe_changes(changes);
}

Result<std::string> Server::reload_all() {
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
  return fmt::format("{}; reloaded {} styles from {}", *config, catalogue_.styles().size(),
                     config_.styles_dir);
}

}  // namespace stickerd
