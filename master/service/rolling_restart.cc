#include "master/service/rolling_restart.h"

#include <fmt/format.h>

#include "common/log.h"
#include "master/requests/error_reply.h"

namespace stickerd {

void RollingRestart::request(std::uint64_t connection_id, std::uint64_t id) {
  waiters_.emplace_back(connection_id, id);
  if (!supervisor_.rolling()) supervisor_.start_rolling_restart();
  advance();
}

void RollingRestart::start_for_reload() {
  for_reload_ = true;
  supervisor_.start_rolling_restart();
  advance();  // a pool with nothing to replace is done at once
}

void RollingRestart::advance() {
  if (supervisor_.rolling() && !supervisor_.rolling_step()) return;
  if (for_reload_) {
    for_reload_ = false;
    log::info("reload done: every worker was replaced and runs the reloaded styles");
    ops_.reload_finished();
  }
  if (waiters_.empty()) return;
  v1::Reply reply;
  reply.mutable_control()->set_message(fmt::format(
      "restarted every worker, one at a time ({} workers)", supervisor_.counts().total));
  reply.mutable_control()->set_workers(supervisor_.counts().total);
  reply.mutable_control()->set_draining(intake_.intake_paused());
  const auto waiters = std::move(waiters_);
  waiters_.clear();
  for (const auto& [connection_id, request_id] : waiters) {
    reply.set_id(request_id);
    sink_.send(connection_id, reply);
    sink_.final_reply_sent(connection_id);
  }
}

void RollingRestart::refuse_waiters() {
  if (waiters_.empty()) return;
  v1::Reply reply = error_reply(v1::SHUTTING_DOWN,
                                "stickerd shut down before the rolling restart replaced every "
                                "worker");
  for (const auto& [connection_id, request_id] : waiters_) {
    reply.set_id(request_id);
    sink_.send(connection_id, reply);
  }
  waiters_.clear();
}

bool RollingRestart::waiting(std::uint64_t connection_id, std::optional<std::uint64_t> id) const {
  for (const auto& [c, request_id] : waiters_) {
    if (c == connection_id && (!id || request_id == *id)) return true;
  }
  return false;
}

}  // namespace stickerd
