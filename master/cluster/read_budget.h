// ReadBudget: how many task entries a node may take from the cluster's
// streams now. Each entry it takes is one a worker of its own will render
// at once, so it asks for no more than its idle workers can start, less the
// work already waiting here for them (tasks of its own that could not go
// to Redis, and cluster entries taken but not yet started). What it does
// not take stays in Redis, where any other node's idle worker can take it:
// that is the cluster's backpressure. Pure; unit-tested from memory.
#pragma once

#include <cstddef>

namespace stickerd {

inline unsigned read_budget(unsigned idle_workers, std::size_t waiting_here) {
  return waiting_here >= idle_workers ? 0 : idle_workers - static_cast<unsigned>(waiting_here);
}

}  // namespace stickerd
