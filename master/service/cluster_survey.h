// ClusterSurvey: one reading of the cluster's picture from Redis, for
// `stickerctl cluster` and the cluster metrics: the live nodes of the node
// registry (the names in its index, then MGET of their keys: a key that
// has expired is a node that is gone) and, per
// task stream, its depth (XLEN) and the consumer group's pending count and
// lag (XINFO GROUPS), pipelined on the link.
//
// Never hangs: every command is asynchronous, and a survey that has not
// heard every answer by its deadline (Redis lost meanwhile, or too slow) is
// finished with an error by expire(), which its owner calls from a timer.
// Its answers that come later find it finished and are dropped. The names
// come from an index rather than a SCAN, whose rounds would grow with every
// other key in the database (the cache tier's among them).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "master/cluster/redis_link.h"
#include "stickerd.pb.h"

namespace stickerd {

class ClusterSurvey : public std::enable_shared_from_this<ClusterSurvey> {
 public:
  // Runs exactly once: with the report, or with the reason there is none.
  using DoneFn = std::function<void(Result<v1::ClusterReport>)>;

  // Starts a survey through `link` for node `node` (the report's `node`);
  // it must finish by `deadline_ms` (the loop's clock).
  static std::shared_ptr<ClusterSurvey> start(RedisLink& link, std::string node,
                                              std::uint64_t deadline_ms, DoneFn done);

  ClusterSurvey(RedisLink& link, std::uint64_t deadline_ms, DoneFn done)
      : link_(link), deadline_ms_(deadline_ms), done_(std::move(done)) {}

  bool finished() const { return finished_; }
  // Finishes it with "redis degraded" if its deadline passed by `now_ms`.
  void expire(std::uint64_t now_ms);

 private:
  void read_index();
  void indexed(const redisReply& reply);
  void read_all();
  void read_nodes();
  void read_dead_letters();
  void read_stream(std::size_t index);
  void answered();  // one of read_all()'s answers came
  void fail(std::string why);
  void finish(Result<v1::ClusterReport> result);

  RedisLink& link_;
  std::uint64_t deadline_ms_;
  DoneFn done_;
  bool finished_ = false;
  std::size_t outstanding_ = 0;
  std::vector<std::string> keys_;
  v1::ClusterReport report_;
};

}  // namespace stickerd
