// Reloader: reloading the configuration and the styles (stickerctl reload,
// SIGHUP). The configuration is rebuilt from the sources main() used,
// compared with the running one (master/config/config_reload.h), and its
// live changes are applied to the pool, the queue, the cache and admission;
// the rest waits for a restart. SIGHUP then replaces every worker one at a
// time so each runs the new styles.
#pragma once

#include <string>

#include "common/error.h"
#include "common/style_catalogue.h"
#include "master/cache/result_cache.h"
#include "master/config/config.h"
#include "master/config/config_source.h"
#include "master/ingress/frame_budget.h"
#include "master/pool/supervisor.h"
#include "master/requests/admission.h"
#include "master/requests/dispatcher.h"
#include "master/requests/run_state.h"
#include "master/requests/task_queue.h"
#include "master/service/rolling_restart.h"

namespace stickerd {

struct ReloaderParts {
  ConfigSource source;
  Config loaded;  // as last loaded, live changes applied: what the next reload compares
  Config& config;
  StyleCatalogue& catalogue;
  AdmissionLimits& limits;
  const RunState& state;
  Supervisor& supervisor;
  TaskQueue& queue;
  FrameBudget& frame_budget;
  ResultCache& cache;
  Dispatcher& dispatcher;
  RollingRestart& rolling;
};

class Reloader {
 public:
  explicit Reloader(ReloaderParts parts) : p_(std::move(parts)) {}

  // stickerctl reload: the configuration, then the styles; the reply's text.
  Result<std::string> reload_all();
  // SIGHUP: reload_all(), then a rolling restart so the workers load the styles.
  std::optional<Error> reload_and_restart();

 private:
  // The configuration rebuilt from the source, its live changes applied;
  // returns what changed, applied or needs a restart. A bad configuration
  // changes nothing and the error names the key.
  Result<std::string> reload_config();
  std::optional<Error> reload_styles();

  ReloaderParts p_;
};

}  // namespace stickerd
