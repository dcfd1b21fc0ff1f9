// StreamNames and ReadBudget: where each class's tasks go, and how many
// entries a node takes.
#include "master/cluster/stream_names.h"

#include <doctest/doctest.h>

#include "master/cluster/read_budget.h"

namespace stickerd {

TEST_CASE("each priority class has its own task stream, read highest first") {
  CHECK(streams::task_stream(v1::PRIORITY_INTERACTIVE) == "stickerd:tasks:interactive");
  CHECK(streams::task_stream(v1::PRIORITY_BATCH) == "stickerd:tasks:batch");
  CHECK(streams::task_stream(v1::PRIORITY_BACKGROUND) == "stickerd:tasks:background");
  CHECK(streams::kTaskStreams.front() == streams::task_stream(v1::PRIORITY_INTERACTIVE));
  CHECK(streams::kTaskStreams.back() == streams::task_stream(v1::PRIORITY_BACKGROUND));
  CHECK(streams::stream_index(v1::PRIORITY_BATCH) == 1);
  CHECK(streams::stream_index(static_cast<v1::Priority>(99)) == 0);  // unknown: interactive
}

TEST_CASE("each node's replies come back on a stream named after it") {
  CHECK(streams::reply_stream("web-1-4242") == "stickerd:replies:web-1-4242");
  CHECK(streams::reply_stream("a") != streams::reply_stream("b"));
}

TEST_CASE("a node takes only as many entries as its idle workers can start now") {
  CHECK(read_budget(0, 0) == 0);
  CHECK(read_budget(2, 0) == 2);
  CHECK(read_budget(3, 1) == 2);  // one already waits here for a worker
  CHECK(read_budget(2, 2) == 0);
  CHECK(read_budget(1, 5) == 0);  // never negative
}

}  // namespace stickerd
