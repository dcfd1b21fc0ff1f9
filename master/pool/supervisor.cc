// Supervisor: spawn, READY, task hand-off, death, respawn and stop for the
// worker slots. See supervisor.h for the guarantees.
#include "master/pool/supervisor.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>

#include <fmt/format.h>

#include "common/log.h"

namespace stickerd {
namespace {

// How long stop() waits for workers to exit on their own before SIGKILL.
constexpr std::uint64_t kStopGraceMs = 5'000;

// splitmix64: a tiny, good-enough generator for spreading recycle points.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The system call a dying worker's violation frame named, for the log.
std::string describe_call(const std::optional<v1::Violation>& violation) {
  if (!violation) return "an unreported system call";
  return describe_system_call(violation->syscall(), violation->name());
}

}  // namespace

Supervisor::Supervisor(uv_loop_t* loop, SupervisorOptions options, SupervisorEvents& events)
    : loop_(loop),
      options_(std::move(options)),
      events_(events),
      jitter_state_(uv_hrtime() ^ static_cast<std::uint64_t>(::getpid())),
      cores_(uv_available_parallelism()) {
  for (unsigned i = 0; i < options_.workers; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->index = i;
    slot->owner = this;
    slot->respawn_timer.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
    slot->respawn_timer.set_owner(slot.get());
    slots_.push_back(std::move(slot));
  }
  stop_timer_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  stop_timer_.set_owner(this);
}

// Links still alive (an abnormal exit of the daemon) SIGKILL their processes.
Supervisor::~Supervisor() = default;

void Supervisor::start() {
  for (auto& slot : slots_) spawn(*slot);
}

void Supervisor::spawn(Slot& slot) {
  WorkerSpawnOptions opts{options_.worker_binary,
                          options_.styles_dir,
                          slot.index,
                          options_.max_frame_bytes,
                          options_.enable_test_styles,
                          options_.sandbox,
                          options_.max_worker_rss_bytes >> 20};
  auto link = WorkerLink::spawn(loop_, opts, *this);
  if (!link) {
    // A fork/exec failure (out of memory, too many processes) may pass:
    // treat it like a death so the policy paces the attempts.
    log::error("worker slot {}: {}", slot.index, link.error().message);
    exits_.add(ExitReason::kSpawnFailed);
    slot.last_exit = LastExit{ExitReason::kSpawnFailed, {}};
    schedule_respawn(slot,
                     std::max(slot.policy.on_death(uv_now(loop_)), RestartPolicy::kFirstDelayMs));
    return;
  }
  slot.link = std::move(*link);
  slot.state = SlotState::kStarting;
  slot.policy.on_spawn(uv_now(loop_));
  slot.tasks_done = 0;
  slot.retire_requested = false;  // a request to retire was for the previous process
  slot.task_limit = 0;
  slot.spawned_ns = uv_hrtime();
  slot.recycle_reason = ExitReason::kRecycle;
  slot.sandbox.clear();
  slot.violation.reset();
  if (const std::uint64_t max = options_.max_tasks_per_worker; max > 0) {
    const std::uint64_t span = max / 10;
    slot.task_limit =
        std::max<std::uint64_t>(1, max - span + next_random(jitter_state_) % (2 * span + 1));
  }
  log::info("worker slot {}: started pid {}", slot.index, slot.link->pid());
}

void Supervisor::schedule_respawn(Slot& slot, std::uint64_t delay_ms) {
  slot.state = SlotState::kWaiting;
  uv_timer_start(
      slot.respawn_timer.get(),
      [](uv_timer_t* t) {
        auto* s = static_cast<Slot*>(t->data);
        if (s != nullptr && s->state == SlotState::kWaiting && !s->owner->stopping_)
          s->owner->spawn(*s);
      },
      delay_ms, 0);
}

bool Supervisor::has_idle_worker() const {
  for (const auto& slot : slots_) {
    if (slot->state == SlotState::kIdle) return true;
  }
  return false;
}

void Supervisor::assign(Task task) {
  for (auto& slot : slots_) {
    if (slot->state != SlotState::kIdle) continue;
    ++task.attempts;
    v1::ToWorker message;
    v1::Task* t = message.mutable_task();
    t->set_task_id(task.task_id);
    t->set_text(task.spec.text);
    t->set_style_id(task.spec.style_id);
    t->set_format(task.spec.format);
    t->set_profile(task.spec.profile);
    t->set_spare_core(counts().busy + 1 < cores_);
    slot->link->send(message);
    slot->task = std::move(task);
    slot->task_answered = false;
    slot->state = SlotState::kBusy;
    return;
  }
  // The caller checked has_idle_worker(): reaching here is a bug.
  log::error("assign() without an idle worker");
  std::abort();
}

void Supervisor::on_worker_message(WorkerLink& link, v1::FromWorker message) {
  Slot& slot = *slots_[link.slot()];
  if (message.has_ready()) {
    if (slot.state == SlotState::kRetiring) return;  // asked to leave while warming up
    if (slot.state != SlotState::kStarting) {
      log::error("worker slot {} (pid {}): READY twice; killing it", slot.index, link.pid());
      link.kill(SIGKILL);
      return;
    }
    slot.state = SlotState::kIdle;
    slot.sandbox = message.ready().sandbox();
    if (slot.sandbox == "seccomp" && !landlock_warned_) {
      landlock_warned_ = true;
      log::warning(
          "workers have no Landlock (a kernel without it, or a filter refusing its calls): "
          "their sandbox is seccomp alone, so a compromised worker could read any file this "
          "user can (docs/SECURITY.md)");
    }
    log::info("worker slot {}: ready (pid {}, warm-up {} ms, {} styles, sandbox {})", slot.index,
              message.ready().pid(), message.ready().warmup_us() / 1000,
              message.ready().style_count(), slot.sandbox.empty() ? "?" : slot.sandbox);
    announce_ready_once();
    events_.on_worker_started(static_cast<double>(uv_hrtime() - slot.spawned_ns) / 1e9);
    events_.on_worker_idle();
    return;
  }
  if (message.has_result()) {
    v1::TaskResult& result = *message.mutable_result();
    // A result that crossed our SIGKILL at the deadline: already answered.
    if (slot.state == SlotState::kKilling) return;
    if (slot.state != SlotState::kBusy || !slot.task || slot.task->task_id != result.task_id()) {
      log::error("worker slot {} (pid {}): result for task {} it does not hold; killing it",
                 slot.index, link.pid(), result.task_id());
      link.kill(SIGKILL);
      return;
    }
    Task task = std::move(*slot.task);
    slot.task.reset();
    slot.state = SlotState::kIdle;
    ++slot.tasks_done;
    maybe_recycle(slot, result.rss_bytes());
    if (slot.task_answered) {  // answered at the client's deadline already
      events_.on_worker_idle();
      return;
    }
    if (result.has_sticker()) result.mutable_sticker()->set_worker_slot(slot.index);
    events_.on_task_result(std::move(task), std::move(result));
    events_.on_worker_idle();
    return;
  }
  if (message.has_violation()) {  // it is about to die of SIGSYS
    slot.violation = message.violation();
    return;
  }
  // A newer worker may send messages this master does not know: harmless.
  log::warning("worker slot {} (pid {}): ignoring an unknown message", slot.index, link.pid());
}

void Supervisor::on_worker_exit(WorkerLink& link, std::int64_t exit_status, int term_signal) {
  Slot& slot = *slots_[link.slot()];
  const int pid = link.pid();
  // We are inside the link's own callback; it is destroyed when this returns.
  std::unique_ptr<WorkerLink> dead = std::move(slot.link);
  std::optional<Task> lost = std::move(slot.task);
  slot.task.reset();
  if (slot.task_answered) lost.reset();  // its client had its reply at the deadline
  const DeathCause cause{term_signal, exit_status};
  const ExitReason reason = classify_exit(
      {cause, stopping_, slot.removed, slot.retire_requested, slot.state == SlotState::kKilling,
       slot.state == SlotState::kRetiring, lost.has_value(), slot.recycle_reason});
  slot.last_exit = LastExit{reason, cause};
  const std::string how = "ended with " + describe_death(cause);
  const std::string holding = lost ? fmt::format(" while rendering task {}", lost->task_id) : "";

  if (stopping_ || slot.removed) {  // removed: scaled away (supervisor_control.cc), not respawned
    log::info("worker slot {} (pid {}) {}{}", slot.index, pid, how,
              stopping_ ? "" : " after the pool shrank");
    slot.state = SlotState::kStopped;
    if (!stopping_) slot.retire_requested = false;
  } else if (reason == ExitReason::kConfig) {
    log::error(
        "worker slot {} (pid {}) exited with code 78 (fatal configuration){}: "
        "not restarting it; fix the configuration the worker reported above",
        slot.index, pid, holding);
    slot.state = SlotState::kDisabled;
  } else if (reason == ExitReason::kCrash) {
    respawn_after_crash(slot, pid, how + holding, reason);
  } else if (reason == ExitReason::kSandbox) {
    respawn_after_crash(
        slot, pid,
        fmt::format("{}: sandbox violation, {}{}", how, describe_call(slot.violation), holding),
        reason);
  } else {
    replace_healthy(slot, pid, how, reason);
  }
  if (lost) events_.on_task_lost(std::move(*lost), cause);
  if (stopping_) check_all_stopped();
  if (reason == ExitReason::kConfig && !stopping_ && !slot.removed) report_if_all_disabled();
}

void Supervisor::replace_healthy(Slot& slot, int pid, const std::string& how, ExitReason reason) {
  if (reason == ExitReason::kRestart) {  // replaced on request (rolling restart), not recycled
    slot.retire_requested = false;
    log::info("worker slot {} (pid {}) {}; replacing it (reason: restart)", slot.index, pid, how);
  } else if (reason == ExitReason::kDeadline) {
    // Its task was answered at the deadline; the slot itself is healthy.
    exits_.add(reason);
    log::warning(
        "worker slot {} (pid {}) {} after missing a deadline; restarting it "
        "(reason: deadline)",
        slot.index, pid, how);
  } else {
    exits_.add(reason);
    log::info("worker slot {} (pid {}) {} after retiring; replacing it (reason: {})", slot.index,
              pid, how, exit_reason_label(reason));
  }
  spawn(slot);
}

void Supervisor::respawn_after_crash(Slot& slot, int pid, const std::string& how,
                                     ExitReason reason) {
  exits_.add(reason);
  const char* label = exit_reason_label(reason);
  const std::uint64_t delay = slot.policy.on_death(uv_now(loop_));
  if (delay > 0) {
    log::warning(
        "worker slot {} (pid {}) {}; it keeps dying ({} deaths in a row), "
        "restarting it in {} ms (reason: {}, backoff)",
        slot.index, pid, how, slot.policy.streak(), delay, label);
    schedule_respawn(slot, delay);
  } else {
    log::warning("worker slot {} (pid {}) {}; restarting it (reason: {})", slot.index, pid, how,
                 label);
    spawn(slot);
  }
}

void Supervisor::report_if_all_disabled() {
  for (const auto& s : slots_) {
    if (s->state != SlotState::kDisabled) return;
  }
  events_.on_no_workers_possible(
      "no worker can start: every worker exited with code 78 (fatal configuration); "
      "see the worker's own message above");
}

void Supervisor::maybe_recycle(Slot& slot, std::uint64_t rss_bytes) {
  const bool by_count = slot.task_limit > 0 && slot.tasks_done >= slot.task_limit;
  const bool by_memory =
      options_.max_worker_rss_bytes > 0 && rss_bytes > options_.max_worker_rss_bytes;
  if ((!by_count && !by_memory && !slot.retire_requested) || stopping_ || !slot.link) return;
  log::info("worker slot {} (pid {}): retiring after {} tasks{}", slot.index, slot.link->pid(),
            slot.tasks_done,
            by_memory ? fmt::format(" at {} MiB resident, over the {} MiB limit", rss_bytes >> 20,
                                    options_.max_worker_rss_bytes >> 20)
                      : std::string(" (its task limit)"));
  slot.recycle_reason = by_memory ? ExitReason::kMemory : ExitReason::kRecycle;
  v1::ToWorker shutdown;
  shutdown.mutable_shutdown();
  slot.link->send(shutdown);
  slot.state = SlotState::kRetiring;
}

std::vector<Task> Supervisor::expire_running(std::uint64_t now_ms) {
  std::vector<Task> expired;
  for (auto& slot : slots_) {
    if (slot->state != SlotState::kBusy || !slot->task || slot->task->deadline_at_ms == 0) continue;
    const Task& task = *slot->task;
    const std::uint64_t hang_at = std::max(task.hang_at_ms, task.deadline_at_ms);
    if (!slot->task_answered && task.deadline_at_ms <= now_ms) {
      expired.push_back(task);  // the client hears of it now, whatever the worker does
      slot->task_answered = true;
    }
    if (hang_at > now_ms) continue;  // past the client's deadline only: let it finish
    log::warning(
        "worker slot {} (pid {}): task {} passed the daemon's deadline; killing the "
        "worker",
        slot->index, slot->link->pid(), task.task_id);
    slot->task.reset();
    slot->state = SlotState::kKilling;
    slot->link->kill(SIGKILL);
  }
  return expired;
}

void Supervisor::announce_ready_once() {
  if (ready_announced_) return;
  unsigned ready = 0;
  unsigned expected = 0;
  for (const auto& s : slots_) {
    if (s->state == SlotState::kDisabled) continue;
    ++expected;
    if (s->state == SlotState::kIdle || s->state == SlotState::kBusy) ++ready;
  }
  if (ready < expected) return;
  ready_announced_ = true;
  log::info("ready: {} workers", ready);
}

void Supervisor::stop() {
  if (stopping_) {
    check_all_stopped();
    return;
  }
  stopping_ = true;
  v1::ToWorker shutdown;
  shutdown.mutable_shutdown();
  for (auto& slot : slots_) {
    uv_timer_stop(slot->respawn_timer.get());
    if (slot->link) {
      slot->link->send(shutdown);  // a starting worker reads it after warm-up
    } else if (slot->state != SlotState::kDisabled) {
      slot->state = SlotState::kStopped;
    }
  }
  start_stop_timer();
  check_all_stopped();
}

std::vector<Task> Supervisor::kill_all() {
  stop();
  std::vector<Task> held;
  for (auto& slot : slots_) {
    if (!slot->link) continue;
    if (slot->task) {
      if (!slot->task_answered) held.push_back(std::move(*slot->task));
      slot->task.reset();
      slot->state = SlotState::kKilling;  // a result crossing the kill is ignored
    }
    slot->link->kill(SIGKILL);
  }
  return held;
}

void Supervisor::start_stop_timer() {
  uv_timer_start(
      stop_timer_.get(),
      [](uv_timer_t* t) {
        auto* self = static_cast<Supervisor*>(t->data);
        if (self == nullptr) return;
        for (auto& slot : self->slots_) {
          if (!slot->link) continue;
          log::warning("worker slot {} (pid {}) did not exit within {} ms; killing it", slot->index,
                       slot->link->pid(), kStopGraceMs);
          slot->link->kill(SIGKILL);
        }
      },
      kStopGraceMs, 0);
}

void Supervisor::check_all_stopped() {
  if (stopped_reported_) return;
  for (const auto& s : slots_) {
    if (s->state != SlotState::kStopped && s->state != SlotState::kDisabled) return;
  }
  stopped_reported_ = true;
  uv_timer_stop(stop_timer_.get());
  events_.on_workers_stopped();
}

WorkerCounts Supervisor::counts() const {
  WorkerCounts c;
  for (const auto& s : slots_) {
    if (s->removed) continue;
    ++c.total;
    if (s->state == SlotState::kIdle) ++c.idle;
    if (s->state == SlotState::kBusy) ++c.busy;
    if (s->state == SlotState::kWaiting) ++c.backoff;
  }
  c.ready = c.idle + c.busy;
  return c;
}

}  // namespace stickerd
