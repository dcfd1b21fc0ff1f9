#include "master/service/lifecycle.h"

#include <cstring>

#include <fmt/format.h>

#include "common/log.h"

namespace stickerd {

void Lifecycle::start() {
  drain_timer_.init([&](uv_timer_t* t) { return uv_timer_init(p_.loop, t); });
  drain_timer_.set_owner(this);
  uv_unref(drain_timer_.base());  // a drain ends when the work does, not the timer
}

void Lifecycle::on_signal(int signum) {
  if (p_.state == RunState::kRunning) {
    begin_shutdown(::strsignal(signum));
    return;
  }
  log::warning("{} again: answering what is left SHUTTING_DOWN and exiting now",
               ::strsignal(signum));
  exit_code_ = 1;
  abandon_remaining_work();
}

void Lifecycle::begin_shutdown(std::string_view why) {
  log::info(
      "{}: draining ({} queued, {} running) for at most {} ms; new requests get "
      "SHUTTING_DOWN",
      why, p_.queue.size(), p_.supervisor.counts().busy, p_.config.drain_grace_ms);
  p_.state = RunState::kDraining;
  p_.ops.stopping();
  p_.connections.stop_listening();
  uv_timer_start(
      drain_timer_.get(),
      [](uv_timer_t* t) {
        auto* self = static_cast<Lifecycle*>(t->data);
        if (self == nullptr || self->p_.state != RunState::kDraining) return;
        log::warning(
            "the drain's grace period of {} ms is over: answering what is left "
            "SHUTTING_DOWN",
            self->p_.config.drain_grace_ms);
        self->abandon_remaining_work();
      },
      p_.config.drain_grace_ms, 0);
  maybe_finish_drain();
}

void Lifecycle::maybe_finish_drain() {
  if (p_.state != RunState::kDraining || !p_.queue.empty() || p_.supervisor.counts().busy > 0 ||
      p_.dispatcher.reading_cache() || p_.dispatcher.shipped() > 0) {
    return;
  }
  log::info("drained: stopping the workers");
  p_.state = RunState::kStopping;
  uv_timer_stop(drain_timer_.get());
  p_.supervisor.stop();
}

void Lifecycle::abandon_remaining_work() {
  p_.state = RunState::kStopping;
  uv_timer_stop(drain_timer_.get());
  const auto refuse = [this](std::vector<Task> tasks, const char* where) {
    p_.dispatcher.fail(tasks, v1::SHUTTING_DOWN,
                       fmt::format("stickerd shut down while this request was {}; retry on "
                                   "another instance",
                                   where));
  };
  // The queued ones first: kill_all() reports the workers stopped at once
  // when none is alive, and that starts closing the connections.
  refuse(p_.queue.take_all(), "queued");
  refuse(p_.dispatcher.take_cache_reads(), "read from a cache tier");
  refuse(p_.dispatcher.take_shipped(), "out in the cluster");
  refuse(p_.supervisor.kill_all(), "rendering");
}

void Lifecycle::workers_stopped() {
  // Every reply is queued by now; flush them, then let every handle go so
  // the loop runs out and closes cleanly.
  p_.rolling.refuse_waiters();  // nothing respawns now: no rolling restart can finish
  p_.signals.close();
  if (p_.redis) {
    p_.leave_cluster();  // its DEL goes out as the link closes
    p_.redis->close();
  }
  p_.connections.close_all();
  log::info("stopped (exit code {})", exit_code_);
}

void Lifecycle::give_up(const std::string& reason) {
  log::error("{}", reason);
  exit_code_ = 1;
  p_.state = RunState::kStopping;
  p_.connections.stop_listening();
  p_.dispatcher.fail(p_.queue.take_all(), v1::INTERNAL, reason);
  p_.dispatcher.fail(p_.dispatcher.take_shipped(), v1::INTERNAL, reason);
  p_.supervisor.stop();
}

}  // namespace stickerd
