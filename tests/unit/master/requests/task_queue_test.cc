// Unit tests for master/task_queue: bound, priority order, FIFO, removal, retries.
#include <doctest/doctest.h>

#include "master/requests/task_queue.h"

using namespace stickerd;

namespace {

Task make_task(std::uint64_t id, v1::Priority priority = v1::PRIORITY_INTERACTIVE,
               std::uint64_t connection = 1, std::uint64_t request = 0) {
  Task t;
  t.task_id = id;
  t.connection_id = connection;
  t.request_serial = request == 0 ? id : request;
  t.spec.priority = priority;
  return t;
}

void push(TaskQueue& q, Task t) { REQUIRE(q.push_back(t)); }

std::vector<std::uint64_t> drain(TaskQueue& q) {
  std::vector<std::uint64_t> ids;
  while (auto t = q.pop()) ids.push_back(t->task_id);
  return ids;
}

}  // namespace

TEST_CASE("tasks of one priority come out oldest first") {
  TaskQueue q(10);
  for (std::uint64_t i = 1; i <= 4; ++i) push(q, make_task(i));
  CHECK(drain(q) == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(q.empty());
}

TEST_CASE("the queue refuses a task once it holds its capacity") {
  TaskQueue q(2);
  push(q, make_task(1));
  push(q, make_task(2));
  CHECK(q.full());
  Task third = make_task(3);
  CHECK_FALSE(q.push_back(third));
  CHECK(third.task_id == 3);  // a refused task is left with the caller
  CHECK(q.size() == 2);
  q.pop();
  CHECK(q.push_back(third));
}

TEST_CASE("a new capacity takes effect at once and keeps tasks queued beyond it") {
  TaskQueue q(3);
  push(q, make_task(1));
  push(q, make_task(2));
  q.set_capacity(1);
  CHECK(q.capacity() == 1);
  CHECK(q.full());
  Task third = make_task(3);
  CHECK_FALSE(q.push_back(third));
  CHECK(drain(q) == std::vector<std::uint64_t>{1, 2});
  q.set_capacity(2);
  push(q, make_task(4));
  push(q, make_task(5));
  CHECK(q.full());
}

TEST_CASE("higher priority classes are served first, each in arrival order") {
  TaskQueue q(10);
  push(q, make_task(1, v1::PRIORITY_BACKGROUND));
  push(q, make_task(2, v1::PRIORITY_BATCH));
  push(q, make_task(3, v1::PRIORITY_INTERACTIVE));
  push(q, make_task(4, v1::PRIORITY_BATCH));
  push(q, make_task(5, v1::PRIORITY_INTERACTIVE));
  CHECK(drain(q) == std::vector<std::uint64_t>{3, 5, 2, 4, 1});
}

TEST_CASE("the capacity is shared by every priority class") {
  TaskQueue q(2);
  push(q, make_task(1, v1::PRIORITY_BACKGROUND));
  push(q, make_task(2, v1::PRIORITY_BATCH));
  Task urgent = make_task(3, v1::PRIORITY_INTERACTIVE);
  CHECK_FALSE(q.push_back(urgent));
}

TEST_CASE("a retried task goes to the front of its own class, even when the queue is full") {
  TaskQueue q(3);
  push(q, make_task(1, v1::PRIORITY_INTERACTIVE));
  push(q, make_task(2, v1::PRIORITY_BATCH));
  push(q, make_task(3, v1::PRIORITY_BATCH));
  q.push_front(make_task(9, v1::PRIORITY_BATCH));
  CHECK(q.size() == 4);
  CHECK(drain(q) == std::vector<std::uint64_t>{1, 9, 2, 3});
}

TEST_CASE("closing a connection removes exactly its tasks, in order") {
  TaskQueue q(10);
  push(q, make_task(1, v1::PRIORITY_INTERACTIVE, 7));
  push(q, make_task(2, v1::PRIORITY_INTERACTIVE, 8));
  push(q, make_task(3, v1::PRIORITY_BATCH, 7));
  push(q, make_task(4, v1::PRIORITY_INTERACTIVE, 7));
  auto removed = q.remove_connection(7);
  REQUIRE(removed.size() == 3);
  CHECK(removed[0].task_id == 1);
  CHECK(removed[1].task_id == 4);
  CHECK(removed[2].task_id == 3);
  CHECK(q.size() == 1);
  CHECK(drain(q) == std::vector<std::uint64_t>{2});
}

TEST_CASE("cancelling a request removes every task of it and frees their places") {
  TaskQueue q(3);
  push(q, make_task(1, v1::PRIORITY_BATCH, 1, 50));
  push(q, make_task(2, v1::PRIORITY_BATCH, 1, 60));
  push(q, make_task(3, v1::PRIORITY_BATCH, 1, 50));
  CHECK(q.remove_request(50).size() == 2);
  CHECK_FALSE(q.full());
  CHECK(q.remove_request(50).empty());
  CHECK(drain(q) == std::vector<std::uint64_t>{2});
}

TEST_CASE("take_all empties the queue in pop order") {
  TaskQueue q(5);
  push(q, make_task(1, v1::PRIORITY_BATCH));
  push(q, make_task(2, v1::PRIORITY_INTERACTIVE));
  auto all = q.take_all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].task_id == 2);
  CHECK(q.empty());
}

TEST_CASE("a full queue lets an interactive task in by displacing the newest background one") {
  TaskQueue q(3);
  push(q, make_task(1, v1::PRIORITY_BACKGROUND));
  push(q, make_task(2, v1::PRIORITY_BACKGROUND));
  push(q, make_task(3, v1::PRIORITY_BATCH));
  Task t = make_task(4, v1::PRIORITY_INTERACTIVE);
  auto out = q.push_or_displace(t);
  REQUIRE(out.accepted);
  REQUIRE(out.displaced);
  CHECK(out.displaced->task_id == 2);
  CHECK(q.size() == 3);
  CHECK(drain(q) == std::vector<std::uint64_t>{4, 3, 1});
}

TEST_CASE("a task never displaces its own class or a higher one") {
  TaskQueue q(2);
  push(q, make_task(1, v1::PRIORITY_INTERACTIVE));
  push(q, make_task(2, v1::PRIORITY_BATCH));
  SUBCASE("same class as the lowest queued") {
    Task t = make_task(3, v1::PRIORITY_BATCH);
    auto out = q.push_or_displace(t);
    CHECK_FALSE(out.accepted);
    CHECK_FALSE(out.displaced);
  }
  SUBCASE("a lower class") {
    Task t = make_task(3, v1::PRIORITY_BACKGROUND);
    CHECK_FALSE(q.push_or_displace(t).accepted);
  }
  CHECK(q.size() == 2);
}

TEST_CASE(
    "a promoted task moves to the back of the higher class and can no longer be displaced by it") {
  TaskQueue q(3);
  push(q, make_task(1, v1::PRIORITY_INTERACTIVE));
  push(q, make_task(2, v1::PRIORITY_BACKGROUND));
  push(q, make_task(3, v1::PRIORITY_BACKGROUND));
  CHECK(q.promote(2, v1::PRIORITY_INTERACTIVE));
  CHECK_FALSE(q.promote(2, v1::PRIORITY_BATCH));         // never down
  CHECK_FALSE(q.promote(1, v1::PRIORITY_INTERACTIVE));   // already there
  CHECK_FALSE(q.promote(99, v1::PRIORITY_INTERACTIVE));  // not queued
  Task t = make_task(4, v1::PRIORITY_INTERACTIVE);
  auto out = q.push_or_displace(t);
  REQUIRE(out.displaced);
  CHECK(out.displaced->task_id == 3);  // the promoted one stayed
  CHECK(drain(q) == std::vector<std::uint64_t>{1, 2, 4});
}

TEST_CASE("a waiting lower class is served after 8 higher dispatches in a row") {
  TaskQueue q(100);
  for (std::uint64_t i = 1; i <= 20; ++i) push(q, make_task(i, v1::PRIORITY_INTERACTIVE));
  push(q, make_task(100, v1::PRIORITY_BACKGROUND));
  std::vector<std::uint64_t> order;
  for (int i = 0; i < 10; ++i) order.push_back(q.pop()->task_id);
  CHECK(order == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 100, 9});
}

TEST_CASE("under a flood of interactive work batch and background both get turns") {
  TaskQueue q(1000);
  std::uint64_t next = 1;
  for (int i = 0; i < 3; ++i) push(q, make_task(500 + i, v1::PRIORITY_BATCH));
  for (int i = 0; i < 3; ++i) push(q, make_task(900 + i, v1::PRIORITY_BACKGROUND));
  int batch = 0, background = 0;
  for (int i = 0; i < 60; ++i) {
    push(q, make_task(next++, v1::PRIORITY_INTERACTIVE));  // the flood never ends
    const auto id = q.pop()->task_id;
    batch += id >= 500 && id < 900;
    background += id >= 900;
  }
  CHECK(batch == 3);
  CHECK(background == 3);
}

TEST_CASE("expired tasks leave the queue and the rest keep their order") {
  TaskQueue q(10);
  Task a = make_task(1);
  a.deadline_at_ms = 100;
  Task b = make_task(2);
  b.deadline_at_ms = 300;
  Task c = make_task(3);  // no deadline
  push(q, a);
  push(q, b);
  push(q, c);
  auto expired = q.remove_expired(100);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].task_id == 1);
  CHECK(q.remove_expired(299).empty());
  CHECK(drain(q) == std::vector<std::uint64_t>{2, 3});
}
