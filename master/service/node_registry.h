// NodeRegistry: cluster mode's node registry and the cluster's picture.
//
// Each second, while the link is connected, the node writes
// SET stickerd:node:<name> <NodeRecord> PX <lease> (node_record.h): its
// workers, queue and tasks completed, and its wall clock; and it adds its
// name to the index stickerd:nodes (ZADD), which readers list the keys from. A node that stops
// deletes its key and its reply stream (leave(), just before the link
// closes); a node that dies stops renewing it and it expires with its
// lease, so the registry lists the live nodes only, give or take one lease.
// A name not written for an hour leaves the index, and its reply stream is
// deleted then (registry::kForgetScript).
//
// Every few seconds it also surveys the cluster (cluster_survey.h) for the
// cluster metrics, and it answers `stickerctl cluster` with a survey of its
// own, bounded in time: an answer or an error within kAskTimeoutMs (plus
// one tick), never a hang. Writes are fire-and-forget: a lost one is
// written again a second later.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "master/cluster/node_record.h"
#include "master/cluster/redis_link.h"
#include "master/ops/metrics.h"
#include "master/service/cluster_survey.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

struct NodeRegistryParts {
  uv_loop_t* loop;
  RedisLink& link;
  Metrics& metrics;
  std::string node;                     // this node's name (--node-name)
  std::function<NodeRecord()> figures;  // this node's figures now (written_at_ms is filled here)
};

class NodeRegistry {
 public:
  // How long `stickerctl cluster` waits for Redis at most.
  static constexpr std::uint64_t kAskTimeoutMs = 2'000;

  explicit NodeRegistry(NodeRegistryParts parts) : p_(std::move(parts)) {}
  NodeRegistry(const NodeRegistry&) = delete;
  NodeRegistry& operator=(const NodeRegistry&) = delete;

  void start();
  // The link came up: write the entry and survey at once rather than at the next beat.
  void link_changed(RedisState state);
  // The daemon stops: deletes this node's entry and stops writing it.
  void leave();
  // Reads the cluster's picture; `done` runs once, within kAskTimeoutMs and a tick.
  void ask(ClusterSurvey::DoneFn done);

 private:
  void tick();
  void write();
  void survey_for_metrics();

  NodeRegistryParts p_;
  bool left_ = false;
  std::uint64_t ticks_ = 0;
  bool metrics_survey_running_ = false;
  std::vector<std::shared_ptr<ClusterSurvey>> surveys_;  // not yet finished
  UvHandle<uv_timer_t> timer_;
};

}  // namespace stickerd
