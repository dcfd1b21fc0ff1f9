// frame_fuzzer: libFuzzer target for everything a client's bytes reach before
// a worker does: FrameDecoder (any split of the stream), Request parsing, and
// admission of render and batch requests against the real style catalogue.
// The input is split in two at its first byte so the fuzzer also explores
// frames that arrive in pieces. See README.md for how to run it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "build_config.h"
#include "common/frame.h"
#include "common/style_catalogue.h"
#include "master/requests/admission.h"
#include "stickerd.pb.h"

namespace {

const stickerd::StyleCatalogue& catalogue() {
  static const stickerd::StyleCatalogue c = [] {
    auto loaded = stickerd::StyleCatalogue::load_dir(STICKERD_SOURCE_STYLES_DIR);
    if (!loaded) __builtin_trap();  // the fuzzer needs the catalogue to mean anything
    return std::move(*loaded);
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stickerd;
  if (size == 0) return 0;
  const std::size_t split = data[0] % size;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  // A small cap, so the too-large path is reached as often as the normal one.
  FrameDecoder decoder(64 * 1024);
  AdmissionLimits limits;
  limits.enable_test_styles = (data[0] & 1) != 0;
  std::string payload;
  for (const std::string_view part :
       {bytes.substr(0, split), bytes.substr(std::min(split, bytes.size()))}) {
    decoder.feed(part);
    for (;;) {
      const auto status = decoder.next(payload);
      if (status == FrameDecoder::Status::kNeedMore) break;
      if (status == FrameDecoder::Status::kTooLarge) return 0;  // the daemon closes here
      v1::Request request;
      if (!request.ParseFromString(payload)) continue;
      if (request.has_render()) (void)admit_render(request.render(), catalogue(), limits);
      if (request.has_batch()) (void)admit_batch(request.batch(), catalogue(), limits);
    }
  }
  return 0;
}
