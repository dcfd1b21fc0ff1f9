// stickerctl's command line: what to do and with which settings, parsed
// without side effects so the parser can be tested from memory.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/error.h"
#include "stickerd.pb.h"

namespace stickerd::ctl {

enum class Command {
  kRender,
  kBatch,
  kGallery,
  kStats,
  kStyles,
  kPoison,
  kFonts,  // local: reads the font set itself, no daemon
  kSheet,
  // Control commands: sent on the control socket (see is_control()).
  kWorkers,
  kTop,
  kCacheTop,  // cache top
  kCluster,
  kScale,
  kDrain,
  kResume,
  kRestartWorkers,
  kReload,
  kHelp,
  kVersion,
};

// Whether `command` talks to the control socket rather than the client socket.
inline bool is_control(Command command) {
  return command >= Command::kWorkers && command <= Command::kReload;
}

struct Options {
  Command command = Command::kHelp;
  std::string socket_path;     // empty: the daemon's default (default_client_socket())
  std::string control_socket;  // empty: default_control_socket()
  unsigned scale_workers = 0;  // scale N
  std::chrono::seconds timeout{120};
  std::string text;
  std::string style_id;                // render: empty is the daemon's default style
  std::vector<std::string> style_ids;  // batch, gallery: empty is every style
  v1::Format format = v1::FORMAT_UNSPECIFIED;
  v1::Profile profile = v1::PROFILE_UNSPECIFIED;
  std::string output;         // render: a file; batch, gallery: a directory
  std::string contact_sheet;  // gallery: also write one picture per style to this PNG
  bool drain_exit = false;    // drain --exit: shut the daemon down, as SIGTERM does
  bool json = false;
};

// Parses argv[1..]. A usage mistake is an INVALID_ARGUMENT error whose
// message names the offending argument.
Result<Options> parse_options(const std::vector<std::string>& args);

}  // namespace stickerd::ctl
