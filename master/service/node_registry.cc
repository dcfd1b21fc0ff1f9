// NodeRegistry: the heartbeat's registry entry and the surveys (see node_registry.h).
#include "master/service/node_registry.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "master/cluster/stream_names.h"
#include "master/uv/repeating_timer.h"

namespace stickerd {
namespace {

// The timer's period: it also bounds how late a survey's deadline is noticed.
constexpr std::uint64_t kTickMs = 250;
constexpr std::uint64_t kTicksPerWrite = 1'000 / kTickMs;   // each second
constexpr std::uint64_t kTicksPerSurvey = 5'000 / kTickMs;  // the metrics' refresh
constexpr std::uint64_t kMetricsSurveyTimeoutMs = 4'000;

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

void NodeRegistry::start() {
  start_repeating<NodeRegistry, &NodeRegistry::tick>(timer_, p_.loop, this, kTickMs);
}

void NodeRegistry::link_changed(RedisState state) {
  if (state != RedisState::kConnected) return;
  write();
  survey_for_metrics();  // the cluster gauges from the start, not 5 s later
}

void NodeRegistry::leave() {
  if (left_) return;
  left_ = true;
  timer_.close();
  // Its reply stream too: every task it shipped is answered by now.
  const bool sent = p_.link.send({"DEL", registry::node_key(p_.node)}) &&
                    p_.link.send({"ZREM", std::string(registry::kNodeIndexKey), p_.node}) &&
                    p_.link.send({"DEL", streams::reply_stream(p_.node)});
  if (sent) log::info("cluster: node {} leaves the registry", p_.node);
}

void NodeRegistry::ask(ClusterSurvey::DoneFn done) {
  surveys_.push_back(
      ClusterSurvey::start(p_.link, p_.node, uv_now(p_.loop) + kAskTimeoutMs, std::move(done)));
}

void NodeRegistry::tick() {
  ++ticks_;
  if (ticks_ % kTicksPerWrite == 0) write();
  if (ticks_ % kTicksPerSurvey == 0) survey_for_metrics();
  const std::uint64_t now = uv_now(p_.loop);
  for (const auto& survey : surveys_) survey->expire(now);
  std::erase_if(surveys_, [](const auto& survey) { return survey->finished(); });
}

void NodeRegistry::write() {
  if (left_ || p_.link.state() != RedisState::kConnected) return;
  NodeRecord record = p_.figures();
  record.written_at_ms = wall_ms();
  const std::string index(registry::kNodeIndexKey);
  p_.link.send({"SET", registry::node_key(p_.node), encode(record), "PX",
                std::to_string(registry::kLeaseMs)});
  p_.link.send({"ZADD", index, std::to_string(record.written_at_ms), p_.node});
  // Names gone for long leave the index, and their reply streams go
  // (each node prunes; it is cheap: the range is nearly always empty).
  if (record.written_at_ms > registry::kIndexForgetMs) {
    p_.link.send({"EVAL", std::string(registry::kForgetScript), "1", index,
                  std::to_string(record.written_at_ms - registry::kIndexForgetMs),
                  streams::reply_stream("")});
  }
}

void NodeRegistry::survey_for_metrics() {
  if (metrics_survey_running_ || p_.link.state() != RedisState::kConnected) return;
  metrics_survey_running_ = true;
  surveys_.push_back(ClusterSurvey::start(
      p_.link, p_.node, uv_now(p_.loop) + kMetricsSurveyTimeoutMs,
      [this](Result<v1::ClusterReport> report) {
        metrics_survey_running_ = false;
        if (report) p_.metrics.cluster(*report);  // else the gauges keep their last reading
      }));
}

}  // namespace stickerd
