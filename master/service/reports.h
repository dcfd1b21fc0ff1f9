// Reports: what the daemon says about itself without changing anything:
// the stats reply, the style list, the poison list, and the heartbeat's
// snapshot (master/ops/operations.h). Every count comes from Counters, the
// supervisor, the queue or the cache: nothing is counted twice.
#pragma once

#include <uv.h>

#include <cstdint>
#include <optional>

#include "common/style_catalogue.h"
#include "master/cluster/redis_link.h"
#include "master/config/config.h"
#include "master/ops/operations.h"
#include "master/pool/supervisor.h"
#include "master/requests/request_state.h"
#include "master/service/client_connections.h"
#include "master/service/pool_sizing.h"

namespace stickerd {

struct ReportParts {
  uv_loop_t* loop;
  const Config& config;
  const StyleCatalogue& catalogue;
  RequestState& requests;  // read only, but listing the poison list drops expired entries
  const Supervisor& supervisor;
  const ClientConnections& connections;
  const PoolSizing& sizing;
  const std::optional<RedisLink>& redis;  // cluster mode only
};

class Reports {
 public:
  explicit Reports(ReportParts parts) : p_(parts), started_ns_(uv_hrtime()) {}

  void fill_stats(v1::Stats& stats) const;
  void fill_styles(v1::StyleList& list) const;
  void fill_poison(v1::PoisonList& list);
  PoolSnapshot snapshot() const;

 private:
  void fill_cache_stats(v1::Stats& stats) const;

  ReportParts p_;
  std::uint64_t started_ns_;
};

}  // namespace stickerd
