// Lease: how long an entry a node took stays its own in the consumer group
// without word from it, and how often a node that still holds an entry
// says so. A task can run for up to --deadline-ms (an hour at most), so no
// fixed lease is "longer than any render"; instead the taker renews the
// lease of every entry it holds (XCLAIM ... JUSTID resets the entry's idle
// time without counting a delivery) every kRenewMs, and a live node reclaims
// (XAUTOCLAIM) only entries idle for kLeaseMs. A slow render on a live node
// is therefore never reclaimed while its node runs and its link is up: six
// renewals fit in one lease, so a loop stall or a slow Redis of a few
// hundred ms costs nothing. A dead node's entries are taken over between
// kLeaseMs and kLeaseMs + kReclaimScanMs after its last renewal.
//
// Delivery counts: Redis counts every delivery of an entry (XREADGROUP,
// XAUTOCLAIM; not XCLAIM JUSTID). An entry delivered more than
// --max-retries + 1 times has outlived that many takers: it goes to the
// dead-letter stream instead of to another worker.
// Pure; unit-tested from memory.
#pragma once

#include <cstdint>

namespace stickerd::lease {

// The idle time after which an entry counts as abandoned by its taker.
inline constexpr std::uint64_t kLeaseMs = 3'000;
// How often a node renews the lease of every entry it holds.
inline constexpr std::uint64_t kRenewMs = 500;
// How often a node with idle workers looks for abandoned entries, and for
// new dead letters (the shared poison list).
inline constexpr std::uint64_t kReclaimScanMs = 1'000;

static_assert(kRenewMs * 4 <= kLeaseMs, "a lease must survive a few missed renewals");

// Whether an entry delivered `deliveries` times (this delivery included)
// goes to the dead letters rather than to a worker.
inline bool past_retries(std::uint64_t deliveries, unsigned max_retries) {
  return deliveries > std::uint64_t{max_retries} + 1;
}

}  // namespace stickerd::lease
