// StreamNames: the Redis keys work sharing uses, in one place so every node
// agrees: one task stream per priority class (read highest class first),
// one consumer group over them, and one reply stream per origin node.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "stickerd.pb.h"

namespace stickerd::streams {

// The consumer group every node reads the task streams in; each node is
// one consumer in it, under its --node-name.
inline constexpr std::string_view kGroup = "stickerd";

// The task streams in the order a node reads them: interactive, batch,
// background.
inline constexpr std::array<std::string_view, 3> kTaskStreams = {
    "stickerd:tasks:interactive", "stickerd:tasks:batch", "stickerd:tasks:background"};

// The index in kTaskStreams of `priority`'s class (an unknown value counts
// as interactive, as admission would have refused it anyway).
inline std::size_t stream_index(v1::Priority priority) {
  switch (priority) {
    case v1::PRIORITY_BATCH:
      return 1;
    case v1::PRIORITY_BACKGROUND:
      return 2;
    default:
      return 0;
  }
}

// The task stream of `priority`'s class.
inline std::string_view task_stream(v1::Priority priority) {
  return kTaskStreams[stream_index(priority)];
}

// The dead-letter stream: entries delivered more than --max-retries + 1
// times, or whose task killed --max-retries + 1 workers, with their last
// error. Every node reads it as the cluster's shared poison list.
inline constexpr std::string_view kDeadLetters = "stickerd:dead";

// Where the results of the tasks node `node` put on the task streams come back.
inline std::string reply_stream(std::string_view node) {
  return "stickerd:replies:" + std::string(node);
}

}  // namespace stickerd::streams
