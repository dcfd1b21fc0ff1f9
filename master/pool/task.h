// Task: one render job as the master tracks it, from admission until its
// result (or its failure) is delivered to the request that owns it.
#pragma once

#include <cstdint>
#include <string>

#include "stickerd.pb.h"

namespace stickerd {

// What to render, already validated and normalised by admission: the style
// exists, the format is one the style declares, enums are in range.
struct TaskSpec {
  std::string text;
  std::string style_id;
  v1::Format format = v1::FORMAT_WEBP;
  v1::Profile profile = v1::PROFILE_TELEGRAM;
  v1::Priority priority = v1::PRIORITY_INTERACTIVE;
  std::uint32_t deadline_ms = 0;  // 0: the daemon's default; never more than it
};

struct Task {
  std::uint64_t task_id = 0;         // unique for the daemon's life; the worker echoes it
  std::uint64_t request_serial = 0;  // the pending request it answers (see RequestBook)
  std::uint64_t connection_id = 0;   // the connection that request came from
  std::uint32_t batch_index = 0;     // position in a batch; 0 for a single render
  unsigned attempts = 0;             // how many workers it has been handed to
  TaskSpec spec;
  std::uint64_t deadline_at_ms = 0;  // loop time (uv_now) when its deadline passes; 0: none
  // Loop time after which a worker still rendering it counts as hung and is
  // killed: the daemon's own deadline, whatever shorter one the client asked
  // for (a client's 1 ms deadline must not cost a worker); 0: deadline_at_ms.
  std::uint64_t hang_at_ms = 0;
  std::uint64_t fingerprint = 0;  // identifies identical requests (see poison_list.h)
  unsigned crashes = 0;           // workers that died by their own hand holding it
};

}  // namespace stickerd
