// Deadlines: when a task's client must be answered and when a worker still
// rendering it counts as hung. Pure: the caller passes the loop's time.
// Unit-tested from memory (tests/unit/master/requests/deadlines_test.cc).
#pragma once

#include <cstdint>

#include "master/pool/task.h"

namespace stickerd {

// A render still running this long after its client's shorter deadline
// counts as hung (renders take milliseconds to a second or two).
inline constexpr std::uint64_t kHangGraceMs = 2'000;

// When a worker still rendering a task is killed: at the daemon's own
// deadline, or kHangGraceMs after the client's shorter one if that comes
// first, never before the client's. A client's 1 ms deadline thus answers
// the client without costing a worker, and a hung render with a short
// deadline does not hold its worker for the daemon's whole deadline.
std::uint64_t hang_at(std::uint64_t client_deadline_at, std::uint64_t daemon_deadline_at);

// Sets a new task's absolute deadline and hang time. Admission clamped the
// request's deadline to the daemon's `daemon_deadline_ms`; queue time counts.
void set_deadlines(Task& task, std::uint64_t now_ms, std::uint64_t daemon_deadline_ms);

// Whether `task` is past its deadline at `now_ms` (a task without one never is).
bool past_deadline(const Task& task, std::uint64_t now_ms);

}  // namespace stickerd
