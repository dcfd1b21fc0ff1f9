// NodeRecord: the node registry's value, written and read back.
#include "master/cluster/node_record.h"

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("a node record reads back what was written") {
  const NodeRecord r{4, 1, 3, 7, 1234, 2, 1, 1765075200123};
  CHECK(encode(r) ==
        "total=4 idle=1 busy=3 queue=7 completed=1234 reclaimed=2 dead=1 at=1765075200123");
  CHECK(decode_node_record(encode(r)) == r);
}

TEST_CASE("a node record skips words a newer node added") {
  const auto r = decode_node_record("total=2 idle=2 colour=blue at=5");
  REQUIRE(r);
  CHECK(r->total_workers == 2);
  CHECK(r->idle_workers == 2);
  CHECK(r->written_at_ms == 5);
}

TEST_CASE("a record from a node that wrote no counts reads them as 0") {
  const auto r = decode_node_record("total=2 idle=2 busy=0 queue=0 completed=9 at=5");
  REQUIRE(r);
  CHECK(r->tasks_completed == 9);
  CHECK(r->reclaimed == 0);
  CHECK(r->dead_lettered == 0);
}

TEST_CASE("a value that is not a node record is refused") {
  CHECK_FALSE(decode_node_record(""));
  CHECK_FALSE(decode_node_record("total=2 idle=1"));  // no time
  CHECK_FALSE(decode_node_record("total=x at=5"));
  CHECK_FALSE(decode_node_record("total=-1 at=5"));
  CHECK_FALSE(decode_node_record("hello at=5"));
  CHECK_FALSE(decode_node_record("total=99999999999 at=5"));  // over 32 bits
}

TEST_CASE("a node's key is the registry prefix and its name") {
  CHECK(registry::node_key("a-1") == "stickerd:node:a-1");
}

}  // namespace stickerd
