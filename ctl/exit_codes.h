// stickerctl's exit codes: the contract scripts rely on, printed by --help.
//
//   0  success
//   1  usage error (bad command line)
//   2  cannot connect to the daemon (no socket, refused, path too long)
//   3  transport failure: connection lost, no reply before --timeout, a reply
//      that is not for us, or the output file could not be written
//  10 + ErrorCode value, one per error the daemon can answer:
//  11 INVALID_ARGUMENT   12 UNKNOWN_STYLE      13 TEXT_TOO_LONG
//  14 QUEUE_FULL         15 DEADLINE_EXCEEDED  16 WORKER_CRASHED
//  17 POISONED           18 CANCELLED          19 SHUTTING_DOWN
//  20 FRAME_TOO_LARGE    21 PERMISSION_DENIED  22 INTERNAL
//  23 UNSUPPORTED_TEXT   24 CONNECTION_LIMIT
#pragma once

#include <string>

#include "common/error.h"

namespace stickerd::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitCannotConnect = 2;
inline constexpr int kExitTransport = 3;
inline constexpr int kExitErrorBase = 10;

// 10 + code; a code this build does not know (a newer daemon) or OK in an
// error reply counts as INTERNAL, so exit codes stay below 126.
int exit_code_for(ErrorCode code);

// The table above as --help prints it, one line per code, built from the enum
// so a new ErrorCode shows up without editing the text.
std::string exit_code_table();

}  // namespace stickerd::ctl
