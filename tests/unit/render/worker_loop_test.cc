// The worker loop driven in-process over a socketpair: tasks in, results out,
// then shutdown, EOF or a malformed frame decide the exit code.
#include <doctest/doctest.h>

#include <sys/socket.h>

#include "common/frame_io.h"
#include "common/unique_fd.h"
#include "tests/unit/render/test_support.h"
#include "worker/worker_loop.h"

namespace stickerd {
namespace {

struct Channel {
  UniqueFd master, worker;
  Channel() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    master.reset(fds[0]);
    worker.reset(fds[1]);
  }
};

v1::ToWorker task(std::uint64_t id, const std::string& text, const std::string& style) {
  v1::ToWorker m;
  m.mutable_task()->set_task_id(id);
  m.mutable_task()->set_text(text);
  m.mutable_task()->set_style_id(style);
  return m;
}

v1::FromWorker read_reply(int fd, FrameDecoder& decoder) {
  v1::FromWorker m;
  REQUIRE(read_frame(fd, decoder, m) == ReadStatus::kOk);
  return m;
}

}  // namespace

// The socket buffer holds these few frames, so the test writes them all, runs
// the loop to completion, then reads the replies: no thread, no fork.
TEST_CASE("the worker answers tasks in order and exits 0 on shutdown") {
  Channel ch;
  render::Renderer renderer;
  WorkerLoop loop(ch.worker.get(), test::source_catalogue(), renderer);
  REQUIRE(loop.send_ready(1234, "off"));
  REQUIRE(write_frame(ch.master.get(), task(1, "Привет 🎉", "classic")));
  REQUIRE(write_frame(ch.master.get(), task(2, "Hi", "no-such-style")));
  REQUIRE(write_frame(ch.master.get(), task(3, "Hi", "")));
  v1::ToWorker shutdown;
  shutdown.mutable_shutdown();
  REQUIRE(write_frame(ch.master.get(), shutdown));

  CHECK(loop.run() == kExitOk);

  FrameDecoder decoder;
  const v1::FromWorker ready = read_reply(ch.master.get(), decoder);
  REQUIRE(ready.has_ready());
  CHECK(ready.ready().warmup_us() == 1234);
  CHECK(ready.ready().sandbox() == "off");
  CHECK(ready.ready().style_count() == test::source_catalogue().styles().size());
  CHECK(ready.ready().pid() > 0);

  const v1::FromWorker first = read_reply(ch.master.get(), decoder);
  REQUIRE(first.has_result());
  CHECK(first.result().task_id() == 1);
  REQUIRE(first.result().has_sticker());
  const v1::Sticker& s = first.result().sticker();
  CHECK(s.format() == v1::FORMAT_WEBP);
  CHECK(s.profile() == v1::PROFILE_TELEGRAM);
  CHECK(s.style_id() == "classic");
  CHECK(s.mime_type() == "image/webp");
  CHECK(s.width() == 512);
  CHECK(s.frame_count() == 1);
  CHECK(s.quality() == 80);
  CHECK(s.render_us() > 0);
  CHECK(test::decode_webp(s.data()).width == 512);
  CHECK(first.result().rss_bytes() > 0);

  const v1::FromWorker second = read_reply(ch.master.get(), decoder);
  CHECK(second.result().task_id() == 2);
  REQUIRE(second.result().has_error());
  CHECK(second.result().error().code() == v1::UNKNOWN_STYLE);

  const v1::FromWorker third = read_reply(ch.master.get(), decoder);
  CHECK(third.result().task_id() == 3);
  REQUIRE(third.result().has_sticker());
  CHECK(third.result().sticker().style_id() == "classic");
}

TEST_CASE("the worker exits 0 when the master closes the channel") {
  Channel ch;
  render::Renderer renderer;
  WorkerLoop loop(ch.worker.get(), test::source_catalogue(), renderer);
  ch.master.reset();
  CHECK(loop.run() == kExitOk);
}

TEST_CASE("the worker exits 2 on a malformed frame") {
  Channel ch;
  render::Renderer renderer;
  WorkerLoop loop(ch.worker.get(), test::source_catalogue(), renderer);
  REQUIRE(write_all(ch.master.get(), std::string("\x03\x00\x00\x00\xff\xff\xff", 7)));
  CHECK(loop.run() == kExitProtocol);
}

TEST_CASE("the worker exits 2 on a frame cut off by EOF") {
  Channel ch;
  render::Renderer renderer;
  WorkerLoop loop(ch.worker.get(), test::source_catalogue(), renderer);
  REQUIRE(write_all(ch.master.get(), std::string("\x10\x00\x00\x00\x0a", 5)));
  ch.master.reset();
  CHECK(loop.run() == kExitProtocol);
}

TEST_CASE("worker arguments parse, with defaults, and reject the unknown") {
  const char* argv[] = {"stickerd-worker", "--styles", "/tmp/s", "--slot", "2", "--fd", "5"};
  auto o = parse_worker_options(7, argv);
  REQUIRE(o.ok());
  CHECK(o->styles_dir == "/tmp/s");
  CHECK(o->slot == 2);
  CHECK(o->fd == 5);
  CHECK(o->sandbox);  // on unless asked
  const char* bare[] = {"stickerd-worker"};
  auto d = parse_worker_options(1, bare);
  REQUIRE(d.ok());
  CHECK(d->fd == 3);
  CHECK_FALSE(d->styles_dir.empty());
  const char* bad[] = {"stickerd-worker", "--slot", "two"};
  CHECK_FALSE(parse_worker_options(3, bad).ok());
  const char* unknown[] = {"stickerd-worker", "--verbose", "1"};
  CHECK_FALSE(parse_worker_options(3, unknown).ok());
  const char* off[] = {"stickerd-worker", "--sandbox", "off"};
  auto no_sandbox = parse_worker_options(3, off);
  REQUIRE(no_sandbox.ok());
  CHECK_FALSE(no_sandbox->sandbox);
  const char* maybe[] = {"stickerd-worker", "--sandbox", "maybe"};
  CHECK_FALSE(parse_worker_options(3, maybe).ok());
}

}  // namespace stickerd
