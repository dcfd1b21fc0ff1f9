// stickerctl gallery against a real daemon: every file it reports exists,
// index.html shows each one, and each decodes as what it claims to be.
#include <cairo.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <webp/demux.h>

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

namespace fs = std::filesystem;

// Frames in a WebP (still or animated) as libwebp's demuxing decoder sees
// them; 0 when it does not decode.
int webp_frames(const std::string& bytes) {
  const WebPData data{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  WebPAnimDecoderOptions options;
  WebPAnimDecoderOptionsInit(&options);
  WebPAnimDecoder* decoder = WebPAnimDecoderNew(&data, &options);
  if (!decoder) return 0;
  int frames = 0;
  while (WebPAnimDecoderHasMoreFrames(decoder)) {
    std::uint8_t* rgba = nullptr;
    int timestamp = 0;
    if (!WebPAnimDecoderGetNext(decoder, &rgba, &timestamp)) {
      frames = 0;
      break;
    }
    ++frames;
  }
  WebPAnimDecoderDelete(decoder);
  return frames;
}

// A PNG's size as cairo reads it; {0, 0} when it does not decode.
std::pair<int, int> png_size(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  std::pair<int, int> size{0, 0};
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    size = {cairo_image_surface_get_width(s), cairo_image_surface_get_height(s)};
  }
  cairo_surface_destroy(s);
  return size;
}

}  // namespace

TEST_CASE(
    "stickerctl gallery writes every style and format, an index.html that shows them, and TGS "
    "previews") {
  auto daemon = start_daemon({.workers = 2});
  const std::string dir = daemon->dir() + "/gallery";
  const std::string sheet = daemon->dir() + "/sheet.png";
  // classic: webp + png; neon: tgs, animated webp, webm; bubble: webp, png, tgs.
  const CtlRun run = run_stickerctl(
      {"--socket", daemon->socket_path(), "gallery", unique_text("Привет 🎉"), "--styles",
       "classic,neon,bubble", "-o", dir, "--contact-sheet", sheet, "--json"},
      daemon->dir(), 180s);
  INFO("stderr: ", run.err);
  INFO("stdout: ", run.out);
  REQUIRE(run.exit_code == 0);

  google::protobuf::Struct listing;
  REQUIRE(google::protobuf::util::JsonStringToMessage(run.out, &listing).ok());
  const std::string index = listing.fields().at("index").string_value();
  CHECK(index == dir + "/index.html");
  std::set<std::string> files;
  for (const auto& v : listing.fields().at("files").list_value().values())
    files.insert(v.string_value());

  // Every file in the directory is listed, and the listing names nothing else
  // (but the contact sheet, which lives where it was asked to).
  std::set<std::string> on_disk;
  for (const auto& entry : fs::directory_iterator(dir)) on_disk.insert(entry.path().string());
  std::set<std::string> listed_in_dir = files;
  CHECK(listed_in_dir.erase(sheet) == 1);
  CHECK(listed_in_dir == on_disk);

  const std::string html = read_file(index);
  CHECK(html.find("<!DOCTYPE html>") == 0);
  std::set<std::string> expected = {
      "classic-webp.webp",      "classic-png.png",         "neon-tgs.tgs",
      "neon-tgs.preview.webp",  "neon-webp_animated.webp", "neon-webm.webm",
      "bubble-webp.webp",       "bubble-png.png",          "bubble-tgs.tgs",
      "bubble-tgs.preview.webp"};
  for (const std::string& name : expected) {
    CAPTURE(name);
    CHECK(files.count(dir + "/" + name) == 1);
    CHECK(html.find("\"" + name + "\"") != std::string::npos);  // an <img src> or <a href>
  }
  CHECK(files.size() == expected.size() + 2);  // + index.html and the sheet

  for (const std::string& path : files) {
    CAPTURE(path);
    const std::string bytes = read_file(path);
    if (path.ends_with(".preview.webp")) {
      CHECK(webp_frames(bytes) >= 1);  // libwebp merges the identical frames of a still style
    } else if (path.ends_with("webp_animated.webp")) {
      CHECK(webp_frames(bytes) > 1);
    } else if (path.ends_with(".webp")) {
      CHECK(webp_frames(bytes) == 1);
    } else if (path.ends_with(".png")) {
      CHECK(png_size(path).first > 0);
    } else if (path.ends_with(".webm")) {
      CHECK(bytes.substr(0, 4) == "\x1a\x45\xdf\xa3");  // EBML (the webm test decodes it)
    } else if (path.ends_with(".tgs")) {
      CHECK(bytes.substr(0, 2) == "\x1f\x8b");  // gzip
      CHECK(files.count(path.substr(0, path.size() - 4) + ".preview.webp") == 1);
    }
  }
  // The WEBM plays in a <video> (an <img> shows no video), looping and muted
  // so that browsers autoplay it.
  CHECK(html.find("<video src=\"neon-webm.webm\"") != std::string::npos);
  CHECK(html.find("autoplay loop muted") != std::string::npos);
  CHECK(html.find("<img src=\"neon-webm.webm\"") == std::string::npos);
  // neon flickers, so its played-back TGS has frames that differ.
  CHECK(webp_frames(read_file(dir + "/neon-tgs.preview.webp")) > 1);
  // Three styles side by side, each a 192 px picture over a label.
  CHECK(png_size(sheet) == std::pair{8 + 3 * (192 + 8), 8 + 192 + 22 + 8});
}

TEST_CASE("stickerctl gallery with an unknown style exits with UNKNOWN_STYLE and writes no index") {
  auto daemon = start_daemon({.workers = 1});
  const std::string dir = daemon->dir() + "/gallery";
  const CtlRun run = run_stickerctl({"--socket", daemon->socket_path(), "gallery", "hi", "--styles",
                                     "classic,no-such-style", "-o", dir},
                                    daemon->dir());
  CHECK(run.exit_code == 12);  // 10 + UNKNOWN_STYLE
  CHECK(run.err.find("no-such-style") != std::string::npos);
  CHECK_FALSE(fs::exists(dir + "/index.html"));
}

}  // namespace stickerd::itest
