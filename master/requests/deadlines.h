// Deadlines: when a task's client must be answered and when a worker still
// rendering it counts as hung. Pure: the caller passes the loop's time.
// Unit-tested from memory (tests/unit/master/requests/deadlines_test.cc).
#pragma once

#include <cstdint>

#include "master/pool/task.h"

namespace stickerd {

// When a worker still rendering a task is killed as hung: at the daemon's
// own deadline (--deadline-ms, the operator's measure of "too long"), never
// before the client's. A client's shorter deadline is answered on time but
// never decides that a render is hung: a fixed grace after it killed slow
// but healthy renders (an animation under ASan on a busy machine), and any
// client could restart workers at will.
std::uint64_t hang_at(std::uint64_t client_deadline_at, std::uint64_t daemon_deadline_at);

// Sets a new task's absolute deadline and hang time. Admission clamped the
// request's deadline to the daemon's `daemon_deadline_ms`; queue time counts.
void set_deadlines(Task& task, std::uint64_t now_ms, std::uint64_t daemon_deadline_ms);

// Whether `task` is past its deadline at `now_ms` (a task without one never is).
bool past_deadline(const Task& task, std::uint64_t now_ms);

}  // namespace stickerd
