// ClusterSurvey: reading the registry and the task streams (see cluster_survey.h).
#include "master/service/cluster_survey.h"

#include <chrono>
#include <span>

#include <fmt/format.h>

#include "master/cluster/group_info.h"
#include "master/cluster/node_record.h"
#include "master/cluster/stream_names.h"

namespace stickerd {
namespace {

// The most names read from the index: far more nodes than one Redis serves.
constexpr const char* kMaxNodes = "1024";

std::string_view words(const redisReply& reply) {
  return reply.str != nullptr ? std::string_view(reply.str, reply.len) : std::string_view();
}

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// "stickerd:tasks:batch" -> "batch"
std::string priority_of(std::string_view stream) {
  return std::string(stream.substr(stream.rfind(':') + 1));
}

}  // namespace

std::shared_ptr<ClusterSurvey> ClusterSurvey::start(RedisLink& link, std::string node,
                                                    std::uint64_t deadline_ms, DoneFn done) {
  auto survey = std::make_shared<ClusterSurvey>(link, deadline_ms, std::move(done));
  survey->report_.set_node(std::move(node));
  for (std::string_view stream : streams::kTaskStreams) {
    v1::ClusterStream* s = survey->report_.add_streams();
    s->set_priority(priority_of(stream));
    s->set_stream(std::string(stream));
  }
  survey->read_index();
  return survey;
}

void ClusterSurvey::expire(std::uint64_t now_ms) {
  if (!finished_ && now_ms >= deadline_ms_) fail("redis degraded: no answer in time");
}

void ClusterSurvey::read_index() {
  const bool sent =
      link_.send({"ZRANGE", std::string(registry::kNodeIndexKey), "0", kMaxNodes},
                 [self = shared_from_this()](const redisReply& reply) { self->indexed(reply); });
  if (!sent) fail("redis degraded: this node is not connected to Redis");
}

// [name ...]: every name that wrote its entry lately, live or not.
void ClusterSurvey::indexed(const redisReply& reply) {
  if (finished_) return;
  if (reply.type == REDIS_REPLY_ERROR)
    return fail(fmt::format("redis refused ZRANGE: {}", words(reply)));
  if (reply.type != REDIS_REPLY_ARRAY)
    return fail("redis answered ZRANGE with something else than names");
  for (const redisReply* name : std::span<redisReply*>(reply.element, reply.elements)) {
    if (name->type == REDIS_REPLY_STRING) keys_.push_back(registry::node_key(words(*name)));
  }
  read_all();
}

void ClusterSurvey::read_all() {
  outstanding_ = 2 + 2 * streams::kTaskStreams.size();
  read_nodes();
  read_dead_letters();
  for (std::size_t i = 0; i < streams::kTaskStreams.size() && !finished_; ++i) read_stream(i);
}

void ClusterSurvey::read_nodes() {
  if (keys_.empty()) return answered();
  std::vector<std::string> command{"MGET"};
  command.insert(command.end(), keys_.begin(), keys_.end());
  const bool sent = link_.send(command, [self = shared_from_this()](const redisReply& reply) {
    if (self->finished_) return;
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements != self->keys_.size()) {
      return self->fail("redis answered MGET with something else than the values asked for");
    }
    const std::uint64_t now = wall_ms();
    for (std::size_t i = 0; i < reply.elements; ++i) {
      const redisReply* value = reply.element[i];
      if (value->type != REDIS_REPLY_STRING) continue;  // expired: the node is gone
      const auto record = decode_node_record(words(*value));
      if (!record) continue;  // not a node's record: skipped
      v1::ClusterNode* n = self->report_.add_nodes();
      n->set_name(self->keys_[i].substr(registry::kNodeKeyPrefix.size()));
      n->set_total_workers(record->total_workers);
      n->set_idle_workers(record->idle_workers);
      n->set_busy_workers(record->busy_workers);
      n->set_queue_size(record->queue_size);
      n->set_tasks_completed(record->tasks_completed);
      n->set_reclaimed(record->reclaimed);
      n->set_dead_lettered(record->dead_lettered);
      n->set_last_seen_seconds(now > record->written_at_ms
                                   ? static_cast<double>(now - record->written_at_ms) / 1e3
                                   : 0.0);
    }
    self->answered();
  });
  if (!sent) fail("redis degraded: this node is not connected to Redis");
}

void ClusterSurvey::read_dead_letters() {
  const bool sent =
      link_.send({"XLEN", std::string(streams::kDeadLetters)},
                 [self = shared_from_this()](const redisReply& reply) {
                   if (self->finished_) return;
                   const auto count = reply_count(reply);
                   if (!count) {
                     return self->fail("redis answered XLEN with something else than a count");
                   }
                   self->report_.set_dead_letters(*count);
                   self->answered();
                 });
  if (!sent) fail("redis degraded: this node is not connected to Redis");
}

void ClusterSurvey::read_stream(std::size_t index) {
  const std::string stream(streams::kTaskStreams[index]);
  auto self = shared_from_this();
  const bool sent = link_.send({"XLEN", stream}, [self, index](const redisReply& reply) {
    if (self->finished_) return;
    const auto depth = reply_count(reply);
    if (!depth) return self->fail("redis answered XLEN with something else than a count");
    self->report_.mutable_streams(static_cast<int>(index))->set_depth(*depth);
    self->answered();
  }) && link_.send({"XINFO", "GROUPS", stream}, [self, index](const redisReply& reply) {
    if (self->finished_) return;
    v1::ClusterStream& s = *self->report_.mutable_streams(static_cast<int>(index));
    // No stream or no group yet (a node creates both when it connects): nothing waits.
    if (const auto info = group_info(reply, streams::kGroup)) {
      s.set_pending(info->pending);
      s.set_lag(info->lag.value_or(0));
      s.set_lag_known(info->lag.has_value());
    } else {
      s.set_lag_known(true);
    }
    self->answered();
  });
  if (!sent) fail("redis degraded: this node is not connected to Redis");
}

void ClusterSurvey::answered() {
  if (--outstanding_ == 0) finish(std::move(report_));
}

// "redis degraded" (not connected, or no answer in time) is DEADLINE_EXCEEDED:
// the question could not be answered now and may be asked again; an answer
// of the wrong shape is INTERNAL.
void ClusterSurvey::fail(std::string why) {
  const v1::ErrorCode code =
      why.starts_with("redis degraded") ? v1::DEADLINE_EXCEEDED : v1::INTERNAL;
  finish(make_error(code, std::move(why)));
}

void ClusterSurvey::finish(Result<v1::ClusterReport> result) {
  if (finished_) return;
  finished_ = true;
  done_(std::move(result));
}

}  // namespace stickerd
