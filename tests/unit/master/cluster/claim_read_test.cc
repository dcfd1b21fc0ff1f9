// ClaimRead and Lease: XAUTOCLAIM and XPENDING answers from replies built
// by hand, and the delivery-count rule.
#include "master/cluster/claim_read.h"

#include <doctest/doctest.h>

#include "master/cluster/lease.h"
#include "tests/unit/master/cluster/reply_tree.h"

namespace stickerd {

TEST_CASE("an XAUTOCLAIM answer gives the cursor, the claimed entries and the deleted ids") {
  ReplyTree t;
  redisReply* reply = t.array({
      t.text("0-0"),
      t.array({t.array({t.text("1-0"), t.array({t.text("origin"), t.text("a")})})}),
      t.array({t.text("2-0"), t.text("3-0")}),
  });
  const auto got = autoclaim_answer("s", *reply);
  REQUIRE(got);
  CHECK(got->cursor == "0-0");
  REQUIRE(got->entries.size() == 1);
  CHECK(got->entries[0].stream == "s");
  CHECK(got->entries[0].id == "1-0");
  CHECK(got->entries[0].fields.at("origin") == "a");
  CHECK(got->deleted == std::vector<std::string>{"2-0", "3-0"});
}

TEST_CASE("an XAUTOCLAIM answer without the third element (Redis 6.2) has no deleted ids") {
  ReplyTree t;
  const auto got = autoclaim_answer("s", *t.array({t.text("5-1"), t.array({})}));
  REQUIRE(got);
  CHECK(got->cursor == "5-1");
  CHECK(got->entries.empty());
  CHECK(got->deleted.empty());
}

TEST_CASE("an XAUTOCLAIM answer of another shape is refused") {
  ReplyTree t;
  CHECK_FALSE(autoclaim_answer("s", *t.text("OK")));
  CHECK_FALSE(autoclaim_answer("s", *t.array({t.text("0-0")})));
  CHECK_FALSE(autoclaim_answer("s", *t.array({t.text("0-0"), t.text("x")})));
  CHECK_FALSE(autoclaim_answer("s", *t.array({t.text("0-0"), t.array({}), t.text("x")})));
}

TEST_CASE("an XPENDING answer gives each entry's consumer, idle time and deliveries") {
  ReplyTree t;
  redisReply* reply = t.array({
      t.array({t.text("1-0"), t.text("a"), t.integer(3500), t.integer(2)}),
      t.array({t.text("2-0"), t.text("b"), t.integer(0), t.integer(1)}),
  });
  const auto got = pending_entries(*reply);
  REQUIRE(got);
  REQUIRE(got->size() == 2);
  CHECK((*got)[0].id == "1-0");
  CHECK((*got)[0].consumer == "a");
  CHECK((*got)[0].idle_ms == 3500);
  CHECK((*got)[0].deliveries == 2);
  CHECK((*got)[1].consumer == "b");
  CHECK_FALSE(pending_entries(*t.array({t.array({t.text("1-0"), t.text("a")})})));
  CHECK_FALSE(pending_entries(*t.nil()));
}

TEST_CASE("an entry goes to the dead letters once delivered more than max-retries + 1 times") {
  CHECK_FALSE(lease::past_retries(1, 0));
  CHECK(lease::past_retries(2, 0));
  CHECK_FALSE(lease::past_retries(2, 1));
  CHECK(lease::past_retries(3, 1));
}

}  // namespace stickerd
