// Unit tests for master/task_queue: bound, priority order, FIFO, removal, retries.
#include <doctest/doctest.h>

#include "master/task_queue.h"

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
