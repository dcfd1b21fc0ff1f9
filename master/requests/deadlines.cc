#include "master/requests/deadlines.h"

#include <algorithm>

namespace stickerd {

std::uint64_t hang_at(std::uint64_t client_deadline_at, std::uint64_t daemon_deadline_at) {
  return std::max(client_deadline_at, daemon_deadline_at);
}

void set_deadlines(Task& task, std::uint64_t now_ms, std::uint64_t daemon_deadline_ms) {
  task.deadline_at_ms = now_ms + task.spec.deadline_ms;
  task.hang_at_ms = hang_at(task.deadline_at_ms, now_ms + daemon_deadline_ms);
}

bool past_deadline(const Task& task, std::uint64_t now_ms) {
  return task.deadline_at_ms != 0 && task.deadline_at_ms <= now_ms;
}

}  // namespace stickerd
