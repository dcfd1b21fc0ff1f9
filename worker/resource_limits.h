// Resource limits: the limits a worker puts on itself, so a runaway or
// exploited render fails inside its own process instead of hurting the host.
#pragma once

#include <cstdint>

namespace stickerd {

// At start: RLIMIT_NOFILE 256 (fontconfig reads its caches during warm-up),
// RLIMIT_CPU one hour of CPU time (generous: workers are recycled long before
// an honest one gets there; a spinning one dies of SIGXCPU and is replaced),
// and RLIMIT_AS as a hard backstop behind the master's RSS recycling: 4 GiB,
// or four times `max_rss_mb` when that is larger (0: no RSS limit), unless
// built with AddressSanitizer, whose shadow memory needs terabytes of address
// space. Failures are logged, never fatal.
void apply_worker_limits(std::uint64_t max_rss_mb = 0);

// With the sandbox, after warm-up: RLIMIT_NOFILE 32 (a render holds the
// channel, the log and a font being read), RLIMIT_CORE 0 (a crashed render's
// memory holds users' text), and RLIMIT_FSIZE 0 (no file can grow) unless
// stdout or stderr is a regular file, where the worker's own log lines must
// still land (tests; in production they go to journald's socket).
// RLIMIT_NPROC is not set: seccomp already forbids new processes, and the
// limit counts every thread of the user, master and all workers included,
// so any low value would fail a healthy worker's render thread in a big pool.
void apply_sandbox_limits();

}  // namespace stickerd
