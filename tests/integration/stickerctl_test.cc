// stickerctl against a real daemon: files it writes, JSON it prints and the
// documented exit codes.
#include <google/protobuf/util/json_util.h>

#include <doctest/doctest.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

// The exit codes stickerctl --help documents (ctl/exit_codes.h).
constexpr int kExitUsage = 1;
constexpr int kExitCannotConnect = 2;
constexpr int kExitUnknownStyle = 12;  // 10 + UNKNOWN_STYLE

}  // namespace

TEST_CASE("stickerctl render -o writes a WebP that libwebp decodes") {
  auto daemon = start_daemon({.workers = 1});
  const std::string out = daemon->dir() + "/hello.webp";
  const CtlRun run = run_stickerctl({"--socket", daemon->socket_path(), "render",
                                     unique_text("ctl"), "--format", "webp", "-o", out},
                                    daemon->dir());
  INFO("stderr: ", run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("classic") != std::string::npos);
  CHECK(run.out.find("512x512") != std::string::npos);
  const auto image = decode_webp(read_file(out));
  REQUIRE_MESSAGE(image.has_value(), "the file stickerctl wrote is not a WebP");
  CHECK(image->width == 512);
  CHECK(image->height == 512);
}

TEST_CASE("stickerctl stats --json prints JSON that parses back into Stats") {
  auto daemon = start_daemon({.workers = 2});
  const CtlRun run =
      run_stickerctl({"stats", "--json", "--socket", daemon->socket_path()}, daemon->dir());
  INFO("stderr: ", run.err);
  REQUIRE(run.exit_code == 0);
  v1::Stats stats;
  const auto parsed = google::protobuf::util::JsonStringToMessage(run.out, &stats);
  INFO("stdout: ", run.out);
  REQUIRE(parsed.ok());
  CHECK(stats.total_workers() == 2);
  CHECK(stats.ready_workers() == 2);
}

TEST_CASE("stickerctl exits with the documented code for UNKNOWN_STYLE and names the code") {
  auto daemon = start_daemon({.workers = 1});
  const CtlRun run = run_stickerctl({"--socket", daemon->socket_path(), "render", "hi", "--style",
                                     "no-such-style", "-o", daemon->dir() + "/x.webp"},
                                    daemon->dir());
  CHECK(run.exit_code == kExitUnknownStyle);
  CHECK(run.err.find("stickerctl: UNKNOWN_STYLE: ") == 0);
}

TEST_CASE("stickerctl exits 2 when no daemon listens") {
  TempDir dir;
  const CtlRun run = run_stickerctl({"--socket", dir.path() + "/none.sock", "stats"}, dir.path());
  CHECK(run.exit_code == kExitCannotConnect);
  CHECK(run.err.find(dir.path() + "/none.sock") != std::string::npos);
}

TEST_CASE("stickerctl exits 1 on a usage mistake and documents its exit codes in --help") {
  TempDir dir;
  const CtlRun bad = run_stickerctl({"render", "no output file"}, dir.path());
  CHECK(bad.exit_code == kExitUsage);
  CHECK(bad.err.find("-o") != std::string::npos);
  const CtlRun help = run_stickerctl({"--help"}, dir.path());
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("12  UNKNOWN_STYLE") != std::string::npos);
  CHECK(help.out.find("14  QUEUE_FULL") != std::string::npos);
}

}  // namespace stickerd::itest

namespace stickerd::itest {

TEST_CASE(
    "stickerctl fonts lists the font set with its fingerprint and the scripts it covers, without a "
    "daemon") {
  TempDir dir;
  const CtlRun text = run_stickerctl({"fonts"}, dir.path());
  INFO("stderr: ", text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.starts_with("font set "));
  CHECK(text.out.find("NotoSansCJK-Bold.ttc") != std::string::npos);
  const CtlRun json = run_stickerctl({"fonts", "--json"}, dir.path());
  REQUIRE(json.exit_code == 0);
  for (const char* expected : {"\"fingerprint\"", "\"fallback\"", "\"Hani\"", "\"Thai\"",
                               "\"Ethi\"", "\"Noto Color Emoji\""}) {
    CHECK_MESSAGE(json.out.find(expected) != std::string::npos, expected);
  }
}

}  // namespace stickerd::itest
