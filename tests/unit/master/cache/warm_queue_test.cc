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

TEST_CASE("warm renders of equal score leave oldest first and their keys with them") {
  WarmQueue warm;
  warm.push(task(1), "a", 1);
  warm.push(task(2), "b", 1);
  CHECK(warm.size() == 2);
  CHECK(warm.holds("a"));
  const WarmQueue::Entry first = warm.pop();
  CHECK(first.task.task_id == 1);
  CHECK(first.key == "a");
  CHECK_FALSE(warm.holds("a"));
  CHECK(warm.holds("b"));
}

TEST_CASE("the most popular text's warm render leaves first, whenever it was queued") {
  WarmQueue warm;
  warm.push(task(1), "tail", 1);
  warm.push(task(2), "popular", 8);
  warm.push(task(3), "middle", 2);
  CHECK(warm.pop().key == "popular");
  CHECK(warm.pop().key == "middle");
  CHECK(warm.pop().key == "tail");
  CHECK(warm.empty());
}

TEST_CASE("a queued render raised by its text's new count moves up, never down") {
  WarmQueue warm;
  warm.push(task(1), "a", 4);
  warm.push(task(2), "b", 2);
  warm.push(task(3), "c", 2);
  warm.raise("c", 8);
  warm.raise("a", 1);  // lower than it has: no change
  warm.raise("unknown", 9);
  CHECK(warm.size() == 3);
  CHECK(warm.pop().key == "c");
  CHECK(warm.pop().key == "a");
  CHECK(warm.pop().key == "b");
}

TEST_CASE("the least popular entry is the one a full queue gives up, the newest of equals") {
  WarmQueue warm;
  CHECK_FALSE(warm.least_score().has_value());
  warm.push(task(1), "old", 1);
  warm.push(task(2), "popular", 5);
  warm.push(task(3), "new", 1);
  CHECK(warm.least_score() == 1u);
  const WarmQueue::Entry given_up = warm.pop_least();
  CHECK(given_up.key == "new");
  CHECK_FALSE(warm.holds("new"));
  CHECK(warm.least_score() == 1u);
  CHECK(warm.pop_least().key == "old");
  CHECK(warm.least_score() == 5u);
  CHECK(warm.pop().key == "popular");
  CHECK_FALSE(warm.least_score().has_value());
}

TEST_CASE("dropping a key takes its warm render out and leaves the others") {
  WarmQueue warm;
  warm.push(task(1), "a", 3);
  warm.push(task(2), "b", 3);
  warm.push(task(3), "c", 3);
  warm.drop("b");
  warm.drop("unknown");
  CHECK_FALSE(warm.holds("b"));
  CHECK(warm.size() == 2);
  CHECK(warm.pop().task.task_id == 1);
  CHECK(warm.pop().task.task_id == 3);
  CHECK(warm.empty());
}
