// NodeRecord: the registry value's words (see node_record.h).
#include "master/cluster/node_record.h"

#include <charconv>

#include <fmt/format.h>

namespace stickerd {
namespace {

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string encode(const NodeRecord& r) {
  return fmt::format("total={} idle={} busy={} queue={} completed={} reclaimed={} dead={} at={}",
                     r.total_workers, r.idle_workers, r.busy_workers, r.queue_size,
                     r.tasks_completed, r.reclaimed, r.dead_lettered, r.written_at_ms);
}

std::optional<NodeRecord> decode_node_record(std::string_view value) {
  NodeRecord r;
  bool has_time = false;
  while (!value.empty()) {
    const std::size_t space = value.find(' ');
    const std::string_view word = value.substr(0, space);
    value = space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
    if (word.empty()) continue;
    const std::size_t eq = word.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = word.substr(0, eq);
    const std::string_view number = word.substr(eq + 1);
    bool ok = true;
    if (key == "total") {
      ok = parse_number(number, r.total_workers);
    } else if (key == "idle") {
      ok = parse_number(number, r.idle_workers);
    } else if (key == "busy") {
      ok = parse_number(number, r.busy_workers);
    } else if (key == "queue") {
      ok = parse_number(number, r.queue_size);
    } else if (key == "completed") {
      ok = parse_number(number, r.tasks_completed);
    } else if (key == "reclaimed") {
      ok = parse_number(number, r.reclaimed);
    } else if (key == "dead") {
      ok = parse_number(number, r.dead_lettered);
    } else if (key == "at") {
      ok = parse_number(number, r.written_at_ms);
      has_time = ok;
    }
    if (!ok) return std::nullopt;
  }
  if (!has_time) return std::nullopt;
  return r;
}

}  // namespace stickerd
