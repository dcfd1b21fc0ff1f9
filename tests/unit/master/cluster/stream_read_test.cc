// StreamRead: the entries of an XREADGROUP answer, from replies built by
// hand the way hiredis builds them.
#include "master/cluster/stream_read.h"

#include <doctest/doctest.h>

#include "tests/unit/master/cluster/reply_tree.h"

namespace stickerd {

TEST_CASE("nothing to read is an empty list") {
  ReplyTree t;
  const auto got = stream_entries(*t.nil());
  REQUIRE(got);
  CHECK(got->empty());
}

TEST_CASE("entries of several streams come out in order with their fields") {
  ReplyTree t;
  redisReply* reply = t.array({
      t.array({t.text("s1"), t.array({t.array({t.text("1-0"), t.array({t.text("a"), t.text("x"),
                                                                       t.text("b"), t.text("y")})}),
                                      t.array({t.text("2-0"), t.nil()})})}),
      t.array({t.text("s2"), t.array({t.array({t.text("3-0"), t.array({})})})}),
  });
  const auto got = stream_entries(*reply);
  REQUIRE(got);
  REQUIRE(got->size() == 3);
  CHECK((*got)[0].stream == "s1");
  CHECK((*got)[0].id == "1-0");
  CHECK((*got)[0].fields.at("a") == "x");
  CHECK((*got)[0].fields.at("b") == "y");
  CHECK((*got)[1].id == "2-0");
  CHECK((*got)[1].fields.empty());  // deleted while pending
  CHECK((*got)[2].stream == "s2");
}

TEST_CASE("a reply of another shape is refused") {
  ReplyTree t;
  CHECK_FALSE(stream_entries(*t.text("OK")));
  CHECK_FALSE(stream_entries(*t.array({t.text("s1")})));
  CHECK_FALSE(stream_entries(*t.array({t.array({t.text("s1"), t.text("not a list")})})));
}

TEST_CASE("stream ids order by their milliseconds, then their sequence, as numbers") {
  CHECK(stream_id_less("0-0", "1-0"));
  CHECK(stream_id_less("1700000000000-9", "1700000000000-10"));  // not as text
  CHECK(stream_id_less("999-5", "1000-0"));
  CHECK_FALSE(stream_id_less("5-1", "5-1"));
  CHECK_FALSE(stream_id_less("6-0", "5-9"));
  // Anything else counts as 0-0.
  CHECK(stream_id_less("", "0-1"));
  CHECK_FALSE(stream_id_less("7-x", "0-0"));
  CHECK_FALSE(stream_id_less("0-0", "junk"));
}

}  // namespace stickerd
