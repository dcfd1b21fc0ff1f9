// Supervisor::workers(): the slot table as WorkerViews. Kept apart from
// supervisor.cc because it only reads, for operators.
#include "master/pool/supervisor.h"

namespace stickerd {

std::vector<WorkerView> Supervisor::workers() const {
  const auto name = [](SlotState state) -> const char* {
    switch (state) {
      case SlotState::kStarting:
        return "starting";
      case SlotState::kIdle:
        return "idle";
      case SlotState::kBusy:
        return "busy";
      case SlotState::kKilling:
        return "killing";
      case SlotState::kRetiring:
        return "retiring";
      case SlotState::kWaiting:
        return "waiting";
      case SlotState::kDisabled:
        return "disabled";
      case SlotState::kStopped:
        return "stopped";
    }
    return "unknown";
  };
  std::vector<WorkerView> out;
  out.reserve(slots_.size());
  for (const auto& slot : slots_) {
    WorkerView v;
    v.slot = slot->index;
    v.pid = slot->link ? slot->link->pid() : 0;
    v.state = name(slot->state);
    v.tasks_done = slot->tasks_done;
    if (slot->link) v.sandbox = slot->sandbox;
    const ExitReason reason = slot->last_exit.reason;
    v.last_exit_reason = exit_reason_label(reason);
    // A failed spawn left no process whose end could be described.
    if (reason != ExitReason::kNone && reason != ExitReason::kSpawnFailed) {
      v.last_exit_status = describe_death(slot->last_exit.cause);
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace stickerd
