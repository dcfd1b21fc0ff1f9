#include "worker/encode/webm_container.h"

#include <algorithm>
#include <bit>

namespace stickerd::encode {
namespace {

// Matroska element IDs (their leading bits are their own length marker).
enum : std::uint32_t {
  kEbml = 0x1A45DFA3,
  kEbmlVersion = 0x4286,
  kEbmlReadVersion = 0x42F7,
  kEbmlMaxIdLength = 0x42F2,
  kEbmlMaxSizeLength = 0x42F3,
  kDocType = 0x4282,
  kDocTypeVersion = 0x4287,
  kDocTypeReadVersion = 0x4285,
  kSegment = 0x18538067,
  kInfo = 0x1549A966,
  kTimecodeScale = 0x2AD7B1,
  kDuration = 0x4489,
  kMuxingApp = 0x4D80,
  kWritingApp = 0x5741,
  kTracks = 0x1654AE6B,
  kTrackEntry = 0xAE,
  kTrackNumber = 0xD7,
  kTrackUid = 0x73C5,
  kTrackType = 0x83,
  kFlagLacing = 0x9C,
  kDefaultDuration = 0x23E383,
  kMaxBlockAdditionId = 0x55EE,
  kCodecId = 0x86,
  kVideo = 0xE0,
  kPixelWidth = 0xB0,
  kPixelHeight = 0xBA,
  kAlphaMode = 0x53C0,
  kCluster = 0x1F43B675,
  kTimecode = 0xE7,
  kBlockGroup = 0xA0,
  kBlock = 0xA1,
  kReferenceBlock = 0xFB,
  kBlockAdditions = 0x75A1,
  kBlockMore = 0xA6,
  kBlockAddId = 0xEE,
  kBlockAdditional = 0xA5,
};

void put_id(std::string& out, std::uint32_t id) {
  const int bytes = static_cast<int>(std::bit_width(id) + 7) / 8;
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>(id >> (8 * i));
}

// An EBML variable-length size: n bytes hold 7n bits behind a length marker.
void put_size(std::string& out, std::uint64_t size) {
  int bytes = 1;
  while (bytes < 8 && size >= (std::uint64_t{1} << (7 * bytes)) - 1) ++bytes;
  const std::uint64_t marked = size | (std::uint64_t{1} << (7 * bytes));
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>(marked >> (8 * i));
}

void put_element(std::string& out, std::uint32_t id, const std::string& payload) {
  put_id(out, id);
  put_size(out, payload.size());
  out += payload;
}

void put_uint(std::string& out, std::uint32_t id, std::uint64_t value) {
  std::string payload;
  const int bytes = std::max(1, static_cast<int>(std::bit_width(value) + 7) / 8);
  for (int i = bytes - 1; i >= 0; --i) payload += static_cast<char>(value >> (8 * i));
  put_element(out, id, payload);
}

// Two's complement, as short as holds the value.
void put_int(std::string& out, std::uint32_t id, std::int64_t value) {
  int bytes = 1;
  while (bytes < 8 && (value < -(std::int64_t{1} << (8 * bytes - 1)) ||
                       value >= (std::int64_t{1} << (8 * bytes - 1)))) {
    ++bytes;
  }
  std::string payload;
  const auto bits = static_cast<std::uint64_t>(value);
  for (int i = bytes - 1; i >= 0; --i) payload += static_cast<char>(bits >> (8 * i));
  put_element(out, id, payload);
}

void put_double(std::string& out, std::uint32_t id, double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  std::string payload;
  for (int i = 7; i >= 0; --i) payload += static_cast<char>(bits >> (8 * i));
  put_element(out, id, payload);
}

std::string header() {
  std::string ebml;
  put_uint(ebml, kEbmlVersion, 1);
  put_uint(ebml, kEbmlReadVersion, 1);
  put_uint(ebml, kEbmlMaxIdLength, 4);
  put_uint(ebml, kEbmlMaxSizeLength, 8);
  put_element(ebml, kDocType, "webm");
  put_uint(ebml, kDocTypeVersion, 4);  // 4: BlockAdditions
  put_uint(ebml, kDocTypeReadVersion, 2);
  std::string out;
  put_element(out, kEbml, ebml);
  return out;
}

std::string info(const WebmTrack& track) {
  std::string body;
  put_uint(body, kTimecodeScale, 1000000);  // timecodes in ms
  put_double(body, kDuration, track.duration_ms);
  put_element(body, kMuxingApp, "stickerd");
  put_element(body, kWritingApp, "stickerd");
  std::string out;
  put_element(out, kInfo, body);
  return out;
}

std::string tracks(const WebmTrack& track) {
  std::string video;
  put_uint(video, kPixelWidth, static_cast<std::uint64_t>(track.width));
  put_uint(video, kPixelHeight, static_cast<std::uint64_t>(track.height));
  if (track.alpha) put_uint(video, kAlphaMode, 1);
  std::string entry;
  put_uint(entry, kTrackNumber, 1);
  put_uint(entry, kTrackUid, 1);
  put_uint(entry, kTrackType, 1);  // video
  put_uint(entry, kFlagLacing, 0);
  put_uint(entry, kDefaultDuration, std::uint64_t{track.frame_ms} * 1000000);
  if (track.alpha) put_uint(entry, kMaxBlockAdditionId, 1);
  put_element(entry, kCodecId, "V_VP9");
  put_element(entry, kVideo, video);
  std::string list;
  put_element(list, kTrackEntry, entry);
  std::string out;
  put_element(out, kTracks, list);
  return out;
}

// A BlockGroup rather than a SimpleBlock: only a group holds BlockAdditions.
// A frame that is not a keyframe names the frame before it (ReferenceBlock).
std::string block_group(const WebmFrame& frame, std::int64_t previous_ms) {
  std::string block;
  put_size(block, 1);                                               // track number 1, as a vint
  const auto relative = static_cast<std::uint16_t>(frame.time_ms);  // cluster starts at 0
  block += static_cast<char>(relative >> 8);
  block += static_cast<char>(relative & 0xFF);
  block += '\0';  // flags: no lacing
  block += frame.colour;
  std::string group;
  put_element(group, kBlock, block);
  if (!frame.key) put_int(group, kReferenceBlock, previous_ms - frame.time_ms);
  if (!frame.alpha.empty()) {
    std::string more;
    put_uint(more, kBlockAddId, 1);
    put_element(more, kBlockAdditional, frame.alpha);
    std::string additions;
    put_element(additions, kBlockMore, more);
    put_element(group, kBlockAdditions, additions);
  }
  std::string out;
  put_element(out, kBlockGroup, group);
  return out;
}

}  // namespace

std::string webm_file(const WebmTrack& track, const std::vector<WebmFrame>& frames) {
  // One cluster: a sticker's 3 s fit the block's 16-bit relative timecode.
  std::string cluster;
  put_uint(cluster, kTimecode, 0);
  std::int64_t previous_ms = 0;
  for (const WebmFrame& frame : frames) {
    cluster += block_group(frame, previous_ms);
    previous_ms = frame.time_ms;
  }
  std::string segment = info(track) + tracks(track);
  put_element(segment, kCluster, cluster);
  std::string out = header();
  put_element(out, kSegment, segment);
  return out;
}

}  // namespace stickerd::encode
