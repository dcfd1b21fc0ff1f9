// GroupInfo: a consumer group's figures from XINFO GROUPS answers built by
// hand the way hiredis builds them.
#include "master/cluster/group_info.h"

#include <doctest/doctest.h>

#include "tests/unit/master/cluster/reply_tree.h"

namespace stickerd {
namespace {

redisReply* group(ReplyTree& t, const std::string& name, long long pending, redisReply* lag) {
  return t.array({t.text("name"), t.text(name), t.text("consumers"), t.integer(2),
                  t.text("pending"), t.integer(pending), t.text("last-delivered-id"), t.text("0-0"),
                  t.text("entries-read"), t.nil(), t.text("lag"), lag});
}

}  // namespace

TEST_CASE("the named group's pending count and lag are read") {
  ReplyTree t;
  redisReply* reply =
      t.array({group(t, "other", 9, t.integer(9)), group(t, "stickerd", 3, t.integer(5))});
  const auto info = group_info(*reply, "stickerd");
  REQUIRE(info);
  CHECK(info->consumers == 2);
  CHECK(info->pending == 3);
  CHECK(info->lag == 5u);
}

TEST_CASE("a nil lag is unknown, not zero") {
  ReplyTree t;
  const auto info = group_info(*t.array({group(t, "stickerd", 0, t.nil())}), "stickerd");
  REQUIRE(info);
  CHECK_FALSE(info->lag);
}

TEST_CASE("no such group, an error or another shape is nothing") {
  ReplyTree t;
  CHECK_FALSE(group_info(*t.array({group(t, "other", 1, t.integer(1))}), "stickerd"));
  CHECK_FALSE(group_info(*t.array({}), "stickerd"));
  CHECK_FALSE(group_info(*t.error("ERR no such key"), "stickerd"));
  CHECK_FALSE(group_info(*t.array({t.text("name")}), "stickerd"));
}

TEST_CASE("an integer reply is a count") {
  ReplyTree t;
  CHECK(reply_count(*t.integer(12)) == 12u);
  CHECK_FALSE(reply_count(*t.integer(-1)));
  CHECK_FALSE(reply_count(*t.text("12")));
}

}  // namespace stickerd
