// Counters: the daemon's running totals of what happened to requests and
// tasks, kept in this one place. The stats reply (Reports), the heartbeat's
// snapshot and the cache metrics all read this struct; the request path
// (Intake, Dispatcher, ClientConnections) is the only writer, on the loop.
#pragma once

#include <cstdint>

namespace stickerd {

struct Counters {
  std::uint64_t tasks_completed = 0;      // a worker answered with a sticker
  std::uint64_t tasks_failed = 0;         // answered with an error, whatever its cause
  std::uint64_t rejected_queue_full = 0;  // QUEUE_FULL at admission, or displaced
  std::uint64_t retries = 0;              // lost tasks queued again
  std::uint64_t cache_joined = 0;         // requests that joined an identical render in flight
  std::uint64_t redis_cache_hits = 0;     // cluster mode: stickers found in Redis, not rendered
  std::uint64_t redis_cache_misses = 0;   // cluster mode: Redis lookups that found nothing
  std::uint64_t warm_queued = 0;
  std::uint64_t warm_dropped =
      0;  // warm renders refused, or given up for a more popular one: the warm queue was full
  std::uint64_t poisoned = 0;  // POISONED answers, at admission or after crashes
  std::uint64_t deadline_exceeded = 0;
  std::uint64_t rejected_limits = 0;        // in-flight limit, refused and idled-out connections
  std::uint64_t cluster_reclaimed = 0;      // entries taken over from a silent node (XAUTOCLAIM)
  std::uint64_t cluster_dead_lettered = 0;  // entries this node put on the dead-letter stream
};

}  // namespace stickerd
