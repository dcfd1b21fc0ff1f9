// ConfigReload: what a reload (stickerctl reload, SIGHUP) changes. Compares
// the configuration the daemon runs with a freshly loaded one and sorts each
// difference into "applies live" or "needs a restart". Pure; unit-tested.
//
// Live: settings the server reads per request or per new connection, the
// pool size and queue capacity (resizable in place), and the cache budget.
// A restart: listening sockets, the metrics endpoint, the control socket's
// group, what workers are started with (binary, styles directory, frame and
// recycling limits, test styles), the poison TTL, and the dynamic pool's
// bounds (the scaler is built once); also turning the cache on or off,
// since single-flight follows it and in-flight requests may be joined.
// Each setting's class is the Reload column of its row (settings.cc).
#pragma once

#include <string>
#include <vector>

#include "master/config/config.h"

namespace stickerd {

struct ConfigChange {
  std::string key;  // the config file's name for it: "queue_size"
  std::string before;
  std::string after;
  bool live = false;  // false: takes effect after a restart
};

// Every setting that differs between `running` and `loaded`, in a fixed order.
std::vector<ConfigChange> diff_config(const Config& running, const Config& loaded);

// `running` with the live settings of `loaded` in place; every other
// setting stays as `running` has it.
Config apply_live(const Config& running, const Config& loaded);

// One line for the reply and the log: "workers 1 -> 2 (applied); metrics_address
// 127.0.0.1:1 -> 127.0.0.1:2 (needs a restart)", or "configuration unchanged".
std::string describe_changes(const std::vector<ConfigChange>& changes);

}  // namespace stickerd
