// Telegram video stickers through the real daemon and stickerctl: the file
// that comes back is read again with libwebm and passes the validator.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "tests/integration/harness.h"
#include "worker/encode/validator.h"
#include "worker/encode/webm_reader.h"

namespace stickerd::itest {

TEST_CASE("stickerctl render --format webm writes a Telegram video sticker: VP9 with alpha") {
  auto daemon = start_daemon({.workers = 1});
  const std::string out = daemon->dir() + "/bounce.webm";
  const CtlRun run =
      run_stickerctl({"--socket", daemon->socket_path(), "render", unique_text("video"), "--style",
                      "bounce", "--format", "webm", "-o", out},
                     daemon->dir());
  INFO("stderr: ", run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("512x512") != std::string::npos);
  const std::string bytes = read_file(out);
  CHECK(bytes.size() <= 256 * 1024);
  const auto broken = encode::check_sticker(bytes, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM);
  CHECK_MESSAGE(!broken, broken.value_or(""));
  auto read = encode::read_webm(bytes);
  REQUIRE_MESSAGE(read.ok(), (read.ok() ? std::string() : read.error().message));
  CHECK(read->codec_id == "V_VP9");
  CHECK(read->alpha_mode == 1);
  CHECK(read->audio_tracks == 0);
  CHECK(read->frames.size() == 30);
}

TEST_CASE("the daemon answers a webm render with a video/webm sticker") {
  auto daemon = start_daemon({.workers = 1});
  Client client(daemon->socket_path());
  const v1::Reply reply =
      client.call(render_request(7, unique_text("clip"), "wave", v1::FORMAT_WEBM));
  REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
  CHECK(reply.sticker().format() == v1::FORMAT_WEBM);
  CHECK(reply.sticker().mime_type() == "video/webm");
  CHECK(reply.sticker().width() == 512);
  CHECK(reply.sticker().frame_count() == 30);
  CHECK(reply.sticker().duration_ms() == 3000);
}

TEST_CASE("stickerctl batch --format webm writes a video sticker per animated style") {
  auto daemon = start_daemon({.workers = 2});
  const std::string dir = daemon->dir() + "/batch";
  // classic is still: it offers no WEBM, and its item says so.
  const CtlRun run =
      run_stickerctl({"--socket", daemon->socket_path(), "batch", unique_text("pack"), "--styles",
                      "bounce,neon,classic", "--format", "webm", "-o", dir},
                     daemon->dir(), 120s);
  INFO("stderr: ", run.err);
  INFO("stdout: ", run.out);
  CHECK(run.exit_code != 0);  // the first failed item's code
  CHECK(run.out.find("2 of 3 styles rendered") != std::string::npos);
  CHECK(run.err.find("classic") != std::string::npos);
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.insert(entry.path().filename().string());
  CHECK(names == std::set<std::string>{"0-bounce.webm", "1-neon.webm"});
  for (const std::string& name : names) {
    CAPTURE(name);
    const std::string bytes = read_file(dir + "/" + name);
    const auto broken = encode::check_sticker(bytes, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM);
    CHECK_MESSAGE(!broken, broken.value_or(""));
  }
}

TEST_CASE("stickerctl render --profile telegram-emoji writes a 100x100 custom emoji video") {
  auto daemon = start_daemon({.workers = 1});
  const std::string out = daemon->dir() + "/emoji.webm";
  const CtlRun run =
      run_stickerctl({"--socket", daemon->socket_path(), "render", unique_text("ok"), "--style",
                      "neon", "--format", "webm", "--profile", "telegram-emoji", "-o", out},
                     daemon->dir());
  INFO("stderr: ", run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("100x100") != std::string::npos);
  const std::string bytes = read_file(out);
  const auto broken = encode::check_sticker(bytes, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM_EMOJI);
  CHECK_MESSAGE(!broken, broken.value_or(""));
}

}  // namespace stickerd::itest
