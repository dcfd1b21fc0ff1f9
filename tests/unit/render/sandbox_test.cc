// The frame the worker's SIGSYS handler writes by hand (worker/sandbox.cc):
// the master must read it as an ordinary FromWorker{violation}. Entering the
// sandbox itself is a one-way door for a process, so the integration tests
// (tests/integration/sandbox_test.cc) drive it in real workers.
#include <doctest/doctest.h>

#include <string>

#include "common/frame.h"
#include "worker.pb.h"
#include "worker/sandbox.h"

namespace stickerd {
namespace {

v1::FromWorker decode(const char* bytes, std::size_t size) {
  FrameDecoder decoder;
  decoder.feed(std::string_view(bytes, size));
  std::string payload;
  REQUIRE(decoder.next(payload) == FrameDecoder::Status::kFrame);
  CHECK(decoder.buffered() == 0);
  v1::FromWorker message;
  REQUIRE(message.ParseFromString(payload));
  return message;
}

}  // namespace

TEST_CASE("the SIGSYS handler's frame is a FromWorker violation with the call's number and name") {
  char buf[96];
  const std::size_t n = encode_violation_frame(59, "execve", buf, sizeof buf);
  REQUIRE(n > 0);
  const v1::FromWorker m = decode(buf, n);
  REQUIRE(m.has_violation());
  CHECK(m.violation().syscall() == 59);
  CHECK(m.violation().name() == "execve");

  // Numbers of two varint bytes, and no name.
  const std::size_t unnamed = encode_violation_frame(300, "", buf, sizeof buf);
  const v1::FromWorker u = decode(buf, unnamed);
  CHECK(u.violation().syscall() == 300);
  CHECK(u.violation().name().empty());

  CHECK(encode_violation_frame(59, "execve", buf, 8) == 0);  // too small: nothing written
}

}  // namespace stickerd
