// Resource limits: the limits a worker puts on itself at start, so a runaway
// render fails inside its own process instead of hurting the host.
#pragma once

namespace stickerd {

// RLIMIT_NOFILE 256 (a render opens fonts, not sockets), RLIMIT_CPU one hour
// of CPU time (generous: workers are recycled long before an honest one gets
// there; a spinning one dies of SIGXCPU and is replaced), and RLIMIT_AS
// 4 GiB unless built with AddressSanitizer, whose shadow memory needs
// terabytes of address space. Failures are logged, never fatal.
void apply_worker_limits();

}  // namespace stickerd
