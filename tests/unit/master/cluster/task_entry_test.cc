// TaskEntry: a task and its reply survive the trip through a stream's
// fields, and anything else is refused rather than guessed.
#include "master/cluster/task_entry.h"

#include <doctest/doctest.h>

namespace stickerd {
namespace {

std::map<std::string, std::string> as_map(const std::vector<std::string>& flat) {
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

TaskEntry sample() {
  TaskEntry entry{"node-a", "5eed", 42, 1'700'000'000'123, {}};
  entry.spec.text = std::string("hi\0there", 8);  // binary-safe
  entry.spec.style_id = "neon";
  entry.spec.format = v1::FORMAT_TGS;
  entry.spec.profile = v1::PROFILE_WHATSAPP;
  entry.spec.priority = v1::PRIORITY_BATCH;
  entry.spec.deadline_ms = 2'500;
  return entry;
}

}  // namespace

TEST_CASE("a task entry decodes to the task that was encoded") {
  const TaskEntry sent = sample();
  const auto got = parse_task_entry(as_map(entry_fields(sent)));
  REQUIRE(got);
  CHECK(got->origin == "node-a");
  CHECK(got->incarnation == "5eed");
  CHECK(got->id == 42);
  CHECK(got->deadline_wall_ms == 1'700'000'000'123);
  CHECK(got->spec.text == sent.spec.text);
  CHECK(got->spec.style_id == "neon");
  CHECK(got->spec.format == v1::FORMAT_TGS);
  CHECK(got->spec.profile == v1::PROFILE_WHATSAPP);
  CHECK(got->spec.priority == v1::PRIORITY_BATCH);
  CHECK(got->spec.deadline_ms == 2'500);
}

TEST_CASE("a task entry tells which run of which node added it") {
  const auto fields = as_map(entry_fields(sample()));
  CHECK(added_by(fields, "node-a", "5eed"));
  CHECK_FALSE(added_by(fields, "node-a", "0ther"));  // an earlier run of the same name
  CHECK_FALSE(added_by(fields, "node-b", "5eed"));
  CHECK_FALSE(added_by({}, "node-a", "5eed"));  // fields gone: deleted while pending
}

TEST_CASE("a task entry with a field missing or garbled is refused") {
  const auto good = as_map(entry_fields(sample()));
  for (const char* field : {"origin", "incarnation", "id", "deadline", "spec"}) {
    auto fields = good;
    fields.erase(field);
    CHECK_FALSE(parse_task_entry(fields));
  }
  const std::map<std::string, std::string> garbled[] = {
      {{"origin", ""}}, {{"id", "12x"}}, {{"id", ""}}, {{"deadline", "-1"}}, {{"spec", "\xff"}}};
  for (const auto& change : garbled) {
    auto fields = good;
    for (const auto& [key, value] : change) fields[key] = value;
    CHECK_FALSE(parse_task_entry(fields));
  }
}

TEST_CASE("a reply entry carries the result, a sticker or an error, back") {
  ReplyEntry sent{"5eed", 42, {}};
  SUBCASE("a sticker") {
    sent.result.mutable_sticker()->set_data(std::string("\0webp", 5));
    const auto got = parse_reply_entry(as_map(entry_fields(sent)));
    REQUIRE(got);
    CHECK(got->result.sticker().data() == std::string("\0webp", 5));
  }
  SUBCASE("an error") {
    sent.result.mutable_error()->set_code(v1::DEADLINE_EXCEEDED);
    const auto got = parse_reply_entry(as_map(entry_fields(sent)));
    REQUIRE(got);
    CHECK(got->incarnation == "5eed");
    CHECK(got->id == 42);
    CHECK(got->result.error().code() == v1::DEADLINE_EXCEEDED);
  }
  auto fields = as_map(entry_fields(sent));
  fields.erase("id");
  CHECK_FALSE(parse_reply_entry(fields));
}

TEST_CASE("a deadline travels as wall-clock time and comes back in the taker's loop time") {
  // The origin's loop reads 1'000 when its wall clock reads 50'000.
  CHECK(to_wall_deadline(0, 1'000, 50'000) == 0);  // none stays none
  CHECK(to_wall_deadline(3'500, 1'000, 50'000) == 52'500);
  CHECK(to_wall_deadline(900, 1'000, 50'000) == 50'000);  // passed: now
  // The taker's loop reads 7 when its wall clock reads 51'000.
  CHECK(to_loop_deadline(0, 51'000, 7) == 0);
  CHECK(to_loop_deadline(52'500, 51'000, 7) == 1'507);
  CHECK(to_loop_deadline(50'000, 51'000, 7) == 7);
}

TEST_CASE("an entry past its absolute deadline is expired; one without a deadline never is") {
  CHECK_FALSE(entry_expired(0, 1'000'000));
  CHECK_FALSE(entry_expired(2'000, 1'999));
  CHECK(entry_expired(2'000, 2'000));
  CHECK(entry_expired(2'000, 5'000));
}

}  // namespace stickerd
