#include "worker/encode/webm_reader.h"

#include <webm/buffer_reader.h>
#include <webm/callback.h>
#include <webm/webm_parser.h>

#include <fmt/format.h>

namespace stickerd::encode {
namespace {

// Timestamps assume the default TimecodeScale (1 ms), which is what a WebM
// sticker uses; a file with another scale has its times scaled here.
class Collector final : public webm::Callback {
 public:
  WebmContents contents;

  webm::Status OnEbml(const webm::ElementMetadata&, const webm::Ebml& ebml) override {
    contents.doc_type = ebml.doc_type.value();
    return ok();
  }
  webm::Status OnInfo(const webm::ElementMetadata&, const webm::Info& info) override {
    scale_ms_ = static_cast<double>(info.timecode_scale.value()) / 1e6;
    if (info.duration.is_present()) contents.duration_ms = info.duration.value() * scale_ms_;
    return ok();
  }
  webm::Status OnTrackEntry(const webm::ElementMetadata&, const webm::TrackEntry& t) override {
    switch (t.track_type.value()) {
      case webm::TrackType::kVideo: {
        ++contents.video_tracks;
        contents.codec_id = t.codec_id.value();
        const webm::Video& v = t.video.value();
        contents.width = v.pixel_width.value();
        contents.height = v.pixel_height.value();
        contents.alpha_mode = v.alpha_mode.value();
        contents.default_duration_ns = t.default_duration.value();
        break;
      }
      case webm::TrackType::kAudio:
        ++contents.audio_tracks;
        break;
      default:
        ++contents.other_tracks;
        break;
    }
    return ok();
  }
  webm::Status OnClusterBegin(const webm::ElementMetadata&, const webm::Cluster& cluster,
                              webm::Action* action) override {
    cluster_time_ = static_cast<std::int64_t>(cluster.timecode.value());
    *action = webm::Action::kRead;
    return ok();
  }
  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata&, const webm::SimpleBlock& block,
                                  webm::Action* action) override {
    begin_frame(block.timecode, block.is_key_frame);
    *action = webm::Action::kRead;
    return ok();
  }
  webm::Status OnBlockBegin(const webm::ElementMetadata&, const webm::Block& block,
                            webm::Action* action) override {
    begin_frame(block.timecode, false);  // a group's keyframe has no ReferenceBlock: see its end
    *action = webm::Action::kRead;
    return ok();
  }
  webm::Status OnBlockGroupEnd(const webm::ElementMetadata&, const webm::BlockGroup& g) override {
    if (contents.frames.empty()) return ok();
    WebmReadFrame& frame = contents.frames.back();
    frame.key = g.references.empty();
    for (const auto& more : g.additions.value().block_mores) {
      if (more.value().id.value() != 1) continue;
      const auto& data = more.value().data.value();
      frame.alpha.assign(data.begin(), data.end());
    }
    return ok();
  }
  webm::Status OnFrame(const webm::FrameMetadata&, webm::Reader* reader,
                       std::uint64_t* bytes_remaining) override {
    std::string& out = contents.frames.back().colour;
    const std::size_t start = out.size();
    out.resize(start + *bytes_remaining);
    std::size_t at = start;
    while (*bytes_remaining > 0) {
      std::uint64_t got = 0;
      const webm::Status status =
          reader->Read(static_cast<std::size_t>(*bytes_remaining),
                       reinterpret_cast<std::uint8_t*>(out.data() + at), &got);
      at += got;
      *bytes_remaining -= got;
      if (!status.ok()) return status;
    }
    return ok();
  }

 private:
  static webm::Status ok() { return webm::Status(webm::Status::kOkCompleted); }
  void begin_frame(std::int16_t relative, bool key) {
    WebmReadFrame frame;
    frame.key = key;
    frame.time_ms = static_cast<std::int64_t>((cluster_time_ + relative) * scale_ms_);
    contents.frames.push_back(std::move(frame));
  }

  double scale_ms_ = 1;
  std::int64_t cluster_time_ = 0;
};

}  // namespace

Result<WebmContents> read_webm(std::string_view bytes) {
  webm::BufferReader reader(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  Collector collector;
  webm::WebmParser parser;
  const webm::Status status = parser.Feed(&collector, &reader);
  if (!status.completed_ok()) {
    return make_error(
        v1::INVALID_ARGUMENT,
        fmt::format("not a complete WebM file (libwebm status {})", static_cast<int>(status.code)));
  }
  return std::move(collector.contents);
}

}  // namespace stickerd::encode
