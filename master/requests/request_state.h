// RequestState: what the request path shares between taking work in
// (Intake) and carrying it out (Dispatcher): the queue, the request book,
// the result cache and its disk tier, the single flights, the warm queue,
// what is popular, the poison list and the counters. One object, owned by
// the Server; the jobs hold a reference.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "master/cache/disk_cache.h"
#include "master/cache/popularity.h"
#include "master/cache/result_cache.h"
#include "master/cache/single_flight.h"
#include "master/cache/warm_queue.h"
#include "master/ops/counters.h"
#include "master/requests/poison_list.h"
#include "master/requests/request_book.h"
#include "master/requests/task_queue.h"

namespace stickerd {

struct RequestState {
  RequestState(uv_loop_t* loop, std::size_t queue_size, std::size_t cache_bytes,
               std::string disk_dir, std::size_t disk_bytes, std::uint64_t poison_ttl_ms)
      : queue(queue_size),
        cache(cache_bytes),
        disk(loop, std::move(disk_dir), disk_bytes),
        poison(poison_ttl_ms) {}

  TaskQueue queue;
  RequestBook book;
  ResultCache cache;
  DiskCache disk;
  SingleFlight flights;
  WarmQueue warm;
  Popularity popularity;
  PoisonList poison;
  Counters counters;
};

}  // namespace stickerd
