// TaskEntry: one task as it travels on a cluster task stream, and its
// result as it comes back on the origin's reply stream.
//
// A task entry's fields:
//   origin       the --node-name of the node that holds the client
//   incarnation  a token the origin drew at start: a reply meant for an
//                earlier run of a node with the same name is dropped
//   id           the origin's own task id (unique for its run)
//   deadline     absolute wall-clock time in ms since the epoch after which
//                the task is answered DEADLINE_EXCEEDED and never rendered
//                (0: none); wall clock because loop times mean nothing on
//                another machine
//   spec         what to render, as the client API's RenderRequest
// A reply entry's fields: incarnation and id (copied from the task entry)
// and result, the worker's TaskResult (a sticker or a typed error).
//
// Pure; unit-tested from memory (tests/unit/master/cluster/task_entry_test.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "master/pool/task.h"
#include "worker.pb.h"

namespace stickerd {

struct TaskEntry {
  std::string origin;
  std::string incarnation;
  std::uint64_t id = 0;
  std::uint64_t deadline_wall_ms = 0;
  TaskSpec spec;
};

struct ReplyEntry {
  std::string incarnation;
  std::uint64_t id = 0;
  v1::TaskResult result;
};

// The fields as XADD takes them: field, value, field, value ...
std::vector<std::string> entry_fields(const TaskEntry& entry);
std::vector<std::string> entry_fields(const ReplyEntry& entry);

// nullopt when a field is missing or does not parse.
std::optional<TaskEntry> parse_task_entry(const std::map<std::string, std::string>& fields);
std::optional<ReplyEntry> parse_reply_entry(const std::map<std::string, std::string>& fields);
// Whether task entry `fields` was added by run `incarnation` of node `origin`.
bool added_by(const std::map<std::string, std::string>& fields, std::string_view origin,
              std::string_view incarnation);

// A loop-time deadline (0: none) as the wall-clock time an entry carries,
// given both clocks' readings now. Already passed: now.
inline std::uint64_t to_wall_deadline(std::uint64_t deadline_at_ms, std::uint64_t now_ms,
                                      std::uint64_t now_wall_ms) {
  if (deadline_at_ms == 0) return 0;
  return now_wall_ms + (deadline_at_ms > now_ms ? deadline_at_ms - now_ms : 0);
}

// An entry's wall-clock deadline (0: none) in the taker's loop time, given
// both clocks' readings now. Already passed: now.
inline std::uint64_t to_loop_deadline(std::uint64_t deadline_wall_ms, std::uint64_t now_wall_ms,
                                      std::uint64_t now_ms) {
  if (deadline_wall_ms == 0) return 0;
  return now_ms + (deadline_wall_ms > now_wall_ms ? deadline_wall_ms - now_wall_ms : 0);
}

// Whether an entry with this deadline must be answered DEADLINE_EXCEEDED
// rather than rendered at wall-clock time `now_wall_ms`.
inline bool entry_expired(std::uint64_t deadline_wall_ms, std::uint64_t now_wall_ms) {
  return deadline_wall_ms != 0 && deadline_wall_ms <= now_wall_ms;
}

}  // namespace stickerd
