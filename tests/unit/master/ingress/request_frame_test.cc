// RequestFrame: which malformed frames are answered under their id (the
// connection stays open) and which get id 0 and a close, and the reason.
#include "master/ingress/request_frame.h"

#include <doctest/doctest.h>

#include <string>

namespace stickerd {
namespace {

std::string varint(std::uint64_t n) {
  std::string out;
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  return out;
}

std::string field(int number, int wire, const std::string& body) {
  std::string out = varint(static_cast<std::uint64_t>(number << 3 | wire));
  return wire == 2 ? out + varint(body.size()) + body : out + body;
}

std::string id_field(std::uint64_t id) { return field(1, 0, varint(id)); }

MalformedRequest malformed(const std::string& payload) {
  auto frame = read_request(payload);
  REQUIRE(std::holds_alternative<MalformedRequest>(frame));
  return std::get<MalformedRequest>(frame);
}

bool mentions(const MalformedRequest& m, const std::string& what) {
  return m.error.message.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("a valid request with an id is read as it is") {
  v1::Request r;
  r.set_id(7);
  r.mutable_render()->set_text("hi");
  auto frame = read_request(r.SerializeAsString());
  REQUIRE(std::holds_alternative<v1::Request>(frame));
  CHECK(std::get<v1::Request>(frame).render().text() == "hi");
}

TEST_CASE("frames without a readable id get id 0 and close the connection") {
  SUBCASE("an empty frame") {
    const auto m = malformed("");
    CHECK(m.closes_connection());
    CHECK(mentions(m, "empty frame"));
  }
  SUBCASE("a request with id 0") {
    v1::Request r;
    r.mutable_stats();
    const auto m = malformed(r.SerializeAsString());
    CHECK(m.closes_connection());
    CHECK(mentions(m, "id 0 is reserved"));
  }
  SUBCASE("bytes that are not protobuf") {
    const auto m = malformed(std::string(16, '\xff'));
    CHECK(m.closes_connection());
    CHECK(mentions(m, "not a protobuf message"));
  }
  SUBCASE("a truncated frame: a field longer than what is there") {
    const auto m = malformed(id_field(3) +
                             "\x12\x50"
                             "abc");
    CHECK(m.closes_connection());
  }
  SUBCASE("a bad field without an id") {
    const auto m = malformed(field(2, 2, field(1, 2, "\xc3\x28")));
    CHECK(m.closes_connection());
    CHECK(mentions(m, "render.text is not valid UTF-8"));
  }
  SUBCASE("an id sent with the wrong wire type") {
    const auto m = malformed(field(1, 2, "xx") + field(2, 2, "\xff\xff"));
    CHECK(m.closes_connection());
  }
  for (const auto& m : {malformed(""), malformed(std::string(4, '\xff'))}) {
    CHECK(m.error.code == v1::INVALID_ARGUMENT);
  }
}

TEST_CASE(
    "a frame with a readable id is one bad request, answered under its id with the true reason") {
  SUBCASE("invalid UTF-8 in the text") {
    const auto m = malformed(id_field(5) + field(2, 2, field(1, 2, "ok\xc3\x28")));
    CHECK(m.id == 5);
    CHECK_FALSE(m.closes_connection());
    CHECK(m.error.code == v1::INVALID_ARGUMENT);
    CHECK(mentions(m, "render.text is not valid UTF-8"));
  }
  SUBCASE("invalid UTF-8 in a batch style id") {
    const auto m = malformed(id_field(6) + field(3, 2, field(1, 2, "ok") + field(2, 2, "\xff")));
    CHECK(m.id == 6);
    CHECK(mentions(m, "batch.style_ids is not valid UTF-8"));
  }
  SUBCASE("a garbled render submessage is not called a UTF-8 problem") {
    const auto m = malformed(id_field(7) + field(2, 2, "\xff\xff\xff"));
    CHECK(m.id == 7);
    CHECK(mentions(m, "render does not parse as a RenderRequest message"));
    CHECK_FALSE(mentions(m, "UTF-8"));
  }
  SUBCASE("a field of the wrong wire type is not blamed when another is at fault") {
    const auto m =
        malformed(id_field(8) + field(2, 2, field(1, 0, varint(3)) + field(2, 2, "\xff")));
    CHECK(m.id == 8);
    CHECK(mentions(m, "render.style_id is not valid UTF-8"));
  }
  SUBCASE("the id is read wherever it is in the frame") {
    const auto m = malformed(field(2, 2, "\xff\xff") + id_field(9));
    CHECK(m.id == 9);
  }
}

TEST_CASE(
    "a field of the wrong wire type is kept as unknown, as protobuf does: the request is read") {
  auto frame = read_request(id_field(8) + field(2, 2, field(1, 0, varint(3))));
  REQUIRE(std::holds_alternative<v1::Request>(frame));
  CHECK(std::get<v1::Request>(frame).render().text().empty());  // admission refuses it then
}

TEST_CASE("deeply nested garbage is refused without recursing past protobuf's limit") {
  // 200 levels of start-group tags: deeper than any parser will follow.
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += varint(2 << 3 | 3);
  for (int i = 0; i < 200; ++i) nested += varint(2 << 3 | 4);
  const auto m = malformed(id_field(4) + nested);
  CHECK(m.error.code == v1::INVALID_ARGUMENT);
  // And 200 levels of length-delimited render fields, each inside the last.
  std::string inner = field(1, 2, "\xff");
  for (int i = 0; i < 200; ++i) inner = field(2, 2, inner);
  const auto deep = malformed(id_field(4) + inner);
  CHECK(deep.error.code == v1::INVALID_ARGUMENT);
}

}  // namespace stickerd
