// Unit tests for master/cache/warm_queue: background renders, one per key.
#include <doctest/doctest.h>

#include "master/cache/warm_queue.h"

using namespace stickerd;

namespace {

Task task(std::uint64_t id) {
  Task t;
  t.task_id = id;
  return t;
}

}  // namespace

TEST_CASE("warm renders leave oldest first and their keys with them") {
  WarmQueue warm;
  warm.push(task(1), "a");
  warm.push(task(2), "b");
  CHECK(warm.size() == 2);
  CHECK(warm.holds("a"));
  const WarmQueue::Entry first = warm.pop();
  CHECK(first.task.task_id == 1);
  CHECK(first.key == "a");
  CHECK_FALSE(warm.holds("a"));
  CHECK(warm.holds("b"));
}

TEST_CASE("dropping a key takes its warm render out and leaves the others") {
  WarmQueue warm;
  warm.push(task(1), "a");
  warm.push(task(2), "b");
  warm.push(task(3), "c");
  warm.drop("b");
  warm.drop("unknown");
  CHECK_FALSE(warm.holds("b"));
  CHECK(warm.size() == 2);
  CHECK(warm.pop().task.task_id == 1);
  CHECK(warm.pop().task.task_id == 3);
  CHECK(warm.empty());
}
