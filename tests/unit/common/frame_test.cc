// Frame codec: any split of the stream, many frames per read, empty and
// oversized frames.
#include <doctest/doctest.h>

#include "common/frame.h"
#include "stickerd.pb.h"

namespace stickerd {
namespace {

v1::Request make_request(std::uint64_t id, const std::string& text) {
  v1::Request r;
  r.set_id(id);
  r.mutable_render()->set_text(text);
  return r;
}

v1::Request parse(const std::string& payload) {
  v1::Request r;
  REQUIRE(r.ParseFromString(payload));
  return r;
}

}  // namespace

TEST_CASE("a frame is a little-endian length followed by the message") {
  const v1::Request r = make_request(7, "hi");
  const std::string frame = encode_frame(r);
  const std::size_t n = r.ByteSizeLong();
  REQUIRE(frame.size() == 4 + n);
  CHECK(static_cast<unsigned char>(frame[0]) == n);
  CHECK(frame[1] == 0);
  CHECK(frame[2] == 0);
  CHECK(frame[3] == 0);
  CHECK(frame.substr(4) == r.SerializeAsString());
}

TEST_CASE("the decoder accepts the stream split at every byte") {
  const std::string stream =
      encode_frame(make_request(1, "Привет, мир! 🎉")) + encode_frame(make_request(2, "second"));
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameDecoder d;
    std::string payload;
    std::vector<std::uint64_t> ids;
    d.feed(std::string_view(stream).substr(0, cut));
    while (d.next(payload) == FrameDecoder::Status::kFrame) ids.push_back(parse(payload).id());
    d.feed(std::string_view(stream).substr(cut));
    while (d.next(payload) == FrameDecoder::Status::kFrame) ids.push_back(parse(payload).id());
    REQUIRE(ids == std::vector<std::uint64_t>{1, 2});
    CHECK(d.buffered() == 0);
  }
}

TEST_CASE("the decoder accepts one byte at a time") {
  const std::string stream = encode_frame(make_request(42, "byte by byte"));
  FrameDecoder d;
  std::string payload;
  int frames = 0;
  for (char c : stream) {
    d.feed(std::string_view(&c, 1));
    while (d.next(payload) == FrameDecoder::Status::kFrame) {
      CHECK(parse(payload).render().text() == "byte by byte");
      ++frames;
    }
  }
  CHECK(frames == 1);
}

TEST_CASE("many frames in one read come out in order") {
  std::string stream;
  for (std::uint64_t i = 0; i < 100; ++i) append_frame(make_request(i, "x"), stream);
  FrameDecoder d;
  d.feed(stream);
  std::string payload;
  std::uint64_t expected = 0;
  while (d.next(payload) == FrameDecoder::Status::kFrame) CHECK(parse(payload).id() == expected++);
  CHECK(expected == 100);
}

TEST_CASE("a zero-length frame is an empty message") {
  FrameDecoder d;
  d.feed(std::string("\0\0\0\0", 4));
  std::string payload = "junk";
  REQUIRE(d.next(payload) == FrameDecoder::Status::kFrame);
  CHECK(payload.empty());
  const v1::Request r = parse(payload);
  CHECK(r.id() == 0);
  CHECK(r.kind_case() == v1::Request::KIND_NOT_SET);
  CHECK(d.next(payload) == FrameDecoder::Status::kNeedMore);
}

TEST_CASE("an oversized frame is refused before its payload is buffered") {
  FrameDecoder d(1024);
  SUBCASE("just over the limit") {
    d.feed(std::string("\x01\x04\0\0", 4));  // 1025
    std::string payload;
    REQUIRE(d.next(payload) == FrameDecoder::Status::kTooLarge);
    CHECK(d.announced_length() == 1025);
  }
  SUBCASE("a huge length stays refused whatever follows") {
    d.feed(std::string("\xff\xff\xff\xff", 4));
    std::string payload;
    REQUIRE(d.next(payload) == FrameDecoder::Status::kTooLarge);
    d.feed(encode_frame(make_request(1, "after")));
    CHECK(d.next(payload) == FrameDecoder::Status::kTooLarge);
    CHECK(d.buffered() == 0);
  }
  SUBCASE("exactly the limit is accepted") {
    std::string frame("\x00\x04\0\0", 4);
    frame.append(1024, '\0');
    d.feed(frame);
    std::string payload;
    CHECK(d.next(payload) == FrameDecoder::Status::kFrame);
    CHECK(payload.size() == 1024);
  }
}

TEST_CASE("a cut-off frame stays buffered") {
  const std::string frame = encode_frame(make_request(3, "cut"));
  FrameDecoder d;
  d.feed(std::string_view(frame).substr(0, frame.size() - 1));
  std::string payload;
  CHECK(d.next(payload) == FrameDecoder::Status::kNeedMore);
  CHECK(d.buffered() == frame.size() - 1);
}

TEST_CASE("pending_frame_bytes is the whole frame once its header is in, else what is buffered") {
  FrameDecoder decoder(1000);
  CHECK(decoder.pending_frame_bytes() == 0);
  decoder.feed(std::string_view("\x10\x00", 2));
  CHECK(decoder.pending_frame_bytes() == 2);
  decoder.feed(
      std::string_view("\x00\x00"
                       "abc",
                       5));
  CHECK(decoder.pending_frame_bytes() == 4 + 16);
  std::string payload;
  CHECK(decoder.next(payload) == FrameDecoder::Status::kNeedMore);
  decoder.feed(std::string(13, 'x'));
  REQUIRE(decoder.next(payload) == FrameDecoder::Status::kFrame);
  CHECK(decoder.pending_frame_bytes() == 0);
}

}  // namespace stickerd
