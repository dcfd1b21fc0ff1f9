// TaskEntry: encoding and decoding the stream entries (see task_entry.h).
#include "master/cluster/task_entry.h"

#include <charconv>

namespace stickerd {
namespace {

std::optional<std::uint64_t> number(const std::map<std::string, std::string>& fields,
                                    const std::string& key) {
  auto it = fields.find(key);
  if (it == fields.end()) return std::nullopt;
  const std::string& s = it->second;
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

const std::string* text(const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? nullptr : &it->second;
}

}  // namespace

std::vector<std::string> entry_fields(const TaskEntry& entry) {
  v1::RenderRequest spec;
  spec.set_text(entry.spec.text);
  spec.set_style_id(entry.spec.style_id);
  spec.set_format(entry.spec.format);
  spec.set_profile(entry.spec.profile);
  spec.set_priority(entry.spec.priority);
  spec.set_deadline_ms(entry.spec.deadline_ms);
  return {"origin",      entry.origin,
          "incarnation", entry.incarnation,
          "id",          std::to_string(entry.id),
          "deadline",    std::to_string(entry.deadline_wall_ms),
          "spec",        spec.SerializeAsString()};
}

std::vector<std::string> entry_fields(const ReplyEntry& entry) {
  return {"incarnation", entry.incarnation,
          "id",          std::to_string(entry.id),
          "result",      entry.result.SerializeAsString()};
}

bool added_by(const std::map<std::string, std::string>& fields, std::string_view origin,
              std::string_view incarnation) {
  const std::string* o = text(fields, "origin");
  const std::string* i = text(fields, "incarnation");
  return o != nullptr && i != nullptr && *o == origin && *i == incarnation;
}

std::optional<TaskEntry> parse_task_entry(const std::map<std::string, std::string>& fields) {
  const std::string* origin = text(fields, "origin");
  const std::string* incarnation = text(fields, "incarnation");
  const std::string* bytes = text(fields, "spec");
  const auto id = number(fields, "id");
  const auto deadline = number(fields, "deadline");
  v1::RenderRequest spec;
  if (origin == nullptr || origin->empty() || incarnation == nullptr || bytes == nullptr || !id ||
      !deadline || !spec.ParseFromString(*bytes)) {
    return std::nullopt;
  }
  TaskEntry entry{*origin, *incarnation, *id, *deadline, {}};
  entry.spec.text = spec.text();
  entry.spec.style_id = spec.style_id();
  entry.spec.format = spec.format();
  entry.spec.profile = spec.profile();
  entry.spec.priority = spec.priority();
  entry.spec.deadline_ms = spec.deadline_ms();
  return entry;
}

std::optional<ReplyEntry> parse_reply_entry(const std::map<std::string, std::string>& fields) {
  const std::string* incarnation = text(fields, "incarnation");
  const std::string* bytes = text(fields, "result");
  const auto id = number(fields, "id");
  ReplyEntry entry;
  if (incarnation == nullptr || bytes == nullptr || !id || !entry.result.ParseFromString(*bytes))
    return std::nullopt;
  entry.incarnation = *incarnation;
  entry.id = *id;
  return entry;
}

}  // namespace stickerd
