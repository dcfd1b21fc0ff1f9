// Supervisor control: live resizing and rolling restarts, for the control
// socket. Both only retire workers between tasks (ToWorker{shutdown} once
// idle), so no request fails because of them; supervisor.cc's exit handler
// respawns a retired slot, or leaves a removed one stopped.
#include "master/pool/supervisor.h"

#include <fmt/format.h>

#include "common/log.h"

namespace stickerd {

void Supervisor::retire(Slot& slot) {
  switch (slot.state) {
    case SlotState::kIdle:
    case SlotState::kStarting: {
      v1::ToWorker shutdown;
      shutdown.mutable_shutdown();
      slot.link->send(shutdown);
      slot.state = SlotState::kRetiring;
      break;
    }
    case SlotState::kBusy:
      break;  // maybe_recycle() retires it after its result
    case SlotState::kWaiting:
      uv_timer_stop(slot.respawn_timer.get());
      if (slot.removed) slot.state = SlotState::kStopped;
      break;
    case SlotState::kKilling:
    case SlotState::kRetiring:
    case SlotState::kDisabled:
    case SlotState::kStopped:
      break;  // on its way out already, or not running
  }
}

void Supervisor::resize(unsigned workers) {
  if (stopping_ || workers == 0) return;
  unsigned active = 0;
  for (const auto& s : slots_) active += s->removed ? 0 : 1;
  // Grow: bring back slots that are being removed, then add new ones.
  for (auto& s : slots_) {
    if (active >= workers) break;
    if (!s->removed) continue;
    s->removed = false;
    ++active;
    if (s->state == SlotState::kStopped) {
      s->retire_requested = false;
      spawn(*s);
    } else {
      s->retire_requested = s->state == SlotState::kRetiring;  // respawn it when it exits
    }
  }
  while (active < workers) {
    auto slot = std::make_unique<Slot>();
    slot->index = static_cast<unsigned>(slots_.size());
    slot->owner = this;
    slot->respawn_timer.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
    slot->respawn_timer.set_owner(slot.get());
    slots_.push_back(std::move(slot));
    spawn(*slots_.back());
    ++active;
  }
  // Shrink from the highest slot: slot numbers stay dense for metrics.
  for (auto it = slots_.rbegin(); it != slots_.rend() && active > workers; ++it) {
    Slot& s = **it;
    if (s.removed || s.state == SlotState::kDisabled) continue;
    s.removed = true;
    s.retire_requested = true;
    --active;
    retire(s);
  }
  log::info("pool resized to {} workers", workers);
}

void Supervisor::start_rolling_restart() {
  if (stopping_) return;
  if (rolling()) {
    rolling_again_ = true;
    log::info("rolling restart requested again: every worker goes once more after this round");
    return;
  }
  queue_rolling_round();
  rolling_step();
}

void Supervisor::queue_rolling_round() {
  for (const auto& s : slots_) {
    if (!s->removed && s->state != SlotState::kDisabled) rolling_queue_.push_back(s->index);
  }
  log::info("rolling restart of {} workers", rolling_queue_.size());
}

bool Supervisor::rolling_step() {
  if (rolling_slot_) {
    const Slot& s = *slots_[*rolling_slot_];
    const bool replaced = s.removed || s.state == SlotState::kDisabled ||
                          ((s.state == SlotState::kIdle || s.state == SlotState::kBusy) && s.link &&
                           s.link->pid() != rolling_old_pid_);
    if (!replaced) return false;
    rolling_slot_.reset();
  }
  for (;;) {
    while (!rolling_queue_.empty()) {
      Slot& s = *slots_[rolling_queue_.front()];
      rolling_queue_.erase(rolling_queue_.begin());
      if (s.removed || !s.link) continue;  // a slot without a process starts afresh anyway
      rolling_slot_ = s.index;
      rolling_old_pid_ = s.link->pid();
      s.retire_requested = true;
      log::info("rolling restart: replacing worker slot {} (pid {})", s.index, rolling_old_pid_);
      retire(s);
      return false;
    }
    if (!rolling_again_) return true;
    rolling_again_ = false;
    queue_rolling_round();
  }
}

}  // namespace stickerd
