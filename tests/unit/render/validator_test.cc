// The TGS rules of the validator, each broken on purpose in an otherwise
// valid file: a rule that never rejects anything would pass every render test.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "worker/encode/lottie.h"
#include "worker/encode/validator.h"
#include "worker/encode/webm_container.h"

using namespace stickerd;

namespace {

// One shape layer with a filled rectangle; `layer_extra` and `shape` are
// spliced in so each case changes exactly one thing.
std::string lottie(
    const std::string& head =
        R"("tgs":1,"v":"5.5.2","fr":60,"ip":0,"op":180,"w":512,"h":512,"ddd":0,)",
    const std::string& layer_extra = "",
    const std::string& shape =
        R"({"ty":"rc","s":{"a":0,"k":[100,100]},"p":{"a":0,"k":[256,256]},"r":{"a":0,"k":0}})",
    const std::string& assets = "[]") {
  return "{" + head + R"("assets":)" + assets +
         R"(,"layers":[{"ty":4,"ind":1,"ip":0,"op":180,"st":0,)" +
         R"("ks":{"o":{"a":0,"k":100},"p":{"a":0,"k":[0,0]}},)" + layer_extra + R"("shapes":[)" +
         shape + R"(,{"ty":"fl","c":{"a":0,"k":[1,0,0,1]},"o":{"a":0,"k":100}}]}]})";
}

std::optional<std::string> check(const std::string& json) {
  return encode::check_sticker(encode::gzip(json), v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
}

}  // namespace

TEST_CASE("a minimal shape-only TGS passes") {
  const auto why = check(lottie());
  CHECK_MESSAGE(!why.has_value(), why.value_or(""));
}

TEST_CASE("every TGS rule rejects the file that breaks it, with a sentence naming the rule") {
  struct Case {
    const char* name;
    std::string json;
    const char* expected;  // a part of the sentence
  };
  const std::string head_without = R"("v":"5.5.2","fr":60,"ip":0,"op":180,"w":512,"h":512,)";
  const Case cases[] = {
      {"not JSON", "{\"tgs\":1,", "not valid JSON"},
      {"no tgs marker", lottie(head_without), "\"tgs\":1"},
      {"small canvas", lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":256,"h":256,)"), "512x512"},
      {"30 fps", lottie(R"("tgs":1,"fr":30,"ip":0,"op":90,"w":512,"h":512,)"), "60 fps"},
      {"over 3 s", lottie(R"("tgs":1,"fr":60,"ip":0,"op":181,"w":512,"h":512,)"), "180 frames"},
      {"3D", lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,"ddd":1,)"), "3D"},
      {"an image asset",
       lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", "", R"({"ty":"rc"})",
              R"([{"id":"img","p":"a.png"}])"),
       "assets"},
      {"a text layer", lottie().replace(lottie().find("\"ty\":4"), 6, "\"ty\":5"), "shape layers"},
      {"a mask",
       lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", R"("masksProperties":[],)"),
       "masksProperties"},
      {"a matte", lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", R"("tt":1,)"),
       "\"tt\""},
      {"an effect", lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", R"("ef":[],)"),
       "\"ef\""},
      {"an expression",
       lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", "",
              R"({"ty":"rc","s":{"a":0,"k":[1,1],"x":"time*2"}})"),
       "expressions"},
      {"a gradient stroke",
       lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", "", R"({"ty":"gs"})"),
       "gradient strokes"},
      {"a star shape",
       lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", "", R"({"ty":"sr"})"),
       "\"sr\""},
      {"a skewed group transform",
       lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", "",
              R"({"ty":"tr","sk":{"a":0,"k":15}})"),
       "skew"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const auto why = check(c.json);
    REQUIRE(why.has_value());
    CHECK_MESSAGE(why->find(c.expected) != std::string::npos, *why);
  }
}

TEST_CASE("an easing handle named x is not an expression") {
  const auto why =
      check(lottie(R"("tgs":1,"fr":60,"ip":0,"op":180,"w":512,"h":512,)", "",
                   R"({"ty":"rc","s":{"a":1,"k":[{"t":0,"s":[1,1],"o":{"x":[0.3],"y":[0]},)"
                   R"("i":{"x":[0.7],"y":[1]}},{"t":60,"s":[2,2]}]}})"));
  CHECK_MESSAGE(!why.has_value(), why.value_or(""));
}

TEST_CASE("a TGS must be gzip and at most 64 KB") {
  auto plain = encode::check_sticker(lottie(), v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
  REQUIRE(plain.has_value());
  CHECK(plain->find("gzip") != std::string::npos);
  auto big =
      encode::check_sticker(std::string(64 * 1024 + 1, 'x'), v1::FORMAT_TGS, v1::PROFILE_TELEGRAM);
  REQUIRE(big.has_value());
  CHECK(big->find("cap") != std::string::npos);
}

namespace {

// A WebM of `count` frames `frame_ms` apart; the validator reads the
// container only, so the frames need not be real VP9.
std::string webm(int width, int height, std::size_t count, std::uint32_t frame_ms,
                 bool alpha = true, std::size_t frame_bytes = 16) {
  std::vector<encode::WebmFrame> frames;
  for (std::size_t i = 0; i < count; ++i) {
    frames.push_back(encode::WebmFrame{std::string(frame_bytes, 'c'),
                                       alpha ? std::string(16, 'a') : std::string(), i == 0,
                                       static_cast<std::uint32_t>(i * frame_ms)});
  }
  encode::WebmTrack track{width, height, frame_ms, static_cast<std::uint32_t>(count * frame_ms),
                          alpha};
  return encode::webm_file(track, frames);
}

std::string webm_refusal(const std::string& bytes) {
  return encode::check_sticker(bytes, v1::FORMAT_WEBM, v1::PROFILE_TELEGRAM).value_or("");
}

}  // namespace

TEST_CASE("a WEBM of 512 px, 3 s at 10 fps with alpha passes the Telegram rules") {
  CHECK(webm_refusal(webm(512, 512, 30, 100)) == "");
  CHECK(webm_refusal(webm(512, 300, 30, 100)) == "");
  CHECK(webm_refusal(webm(200, 512, 88, 34)) == "");
}

TEST_CASE("every Telegram video-sticker rule refuses the WEBM that breaks it") {
  CHECK(webm_refusal(webm(512, 512, 30, 100, true, 9 * 1024)).find("over the 262144 byte cap") !=
        std::string::npos);
  CHECK(webm_refusal(webm(512, 512, 31, 100)).find("at most 3 s") != std::string::npos);
  CHECK(webm_refusal(webm(500, 500, 30, 100)).find("one side of 512") != std::string::npos);
  CHECK(webm_refusal(webm(512, 600, 30, 100)).find("one side of 512") != std::string::npos);
  CHECK(webm_refusal(webm(512, 512, 30, 100, false)).find("no alpha") != std::string::npos);
  CHECK(webm_refusal(webm(512, 512, 60, 20)).find("at most 30 fps") != std::string::npos);
  CHECK(webm_refusal("RIFF not a WebM").find("not a complete WebM") != std::string::npos);
  // Without the profile's rules a WEBM still needs its alpha.
  CHECK(encode::check_sticker(webm(512, 512, 60, 100, false), v1::FORMAT_WEBM, v1::PROFILE_NONE)
            .value_or("")
            .find("no alpha") != std::string::npos);
  CHECK_FALSE(encode::check_sticker(webm(512, 512, 60, 100), v1::FORMAT_WEBM, v1::PROFILE_NONE));
}

TEST_CASE("a WEBM with another codec or an audio track is refused") {
  const std::string good = webm(512, 512, 30, 100);
  // Our writer makes neither, so one byte of a good file is changed: the
  // CodecID's "V_VP9" becomes "V_VP8", the TrackType (0x83, size 1) 1 (video)
  // becomes 2 (audio).
  std::string vp8 = good;
  const auto codec = vp8.find("V_VP9");
  REQUIRE(codec != std::string::npos);
  vp8[codec + 4] = '8';
  CHECK(webm_refusal(vp8) == "the codec is V_VP8, not V_VP9");
  std::string audio = good;
  const auto type = audio.find("\x83\x81\x01");
  REQUIRE(type != std::string::npos);
  audio[type + 2] = '\x02';
  CHECK(webm_refusal(audio) == "a video sticker has no audio track");
}

TEST_CASE("a WEBM whose one frame lacks its alpha is refused, naming the frame") {
  std::vector<encode::WebmFrame> frames;
  for (std::uint32_t i = 0; i < 3; ++i)
    frames.push_back(encode::WebmFrame{"c", i == 1 ? "" : "a", i == 0, i * 100});
  const std::string bytes = encode::webm_file(encode::WebmTrack{512, 512, 100, 300, true}, frames);
  CHECK(webm_refusal(bytes) == "frame 1 has no alpha (no BlockAdditional with id 1)");
}
