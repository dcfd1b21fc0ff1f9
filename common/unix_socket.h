// Blocking Unix stream socket connect, for clients (stickerctl, tests, bench).
#pragma once

#include <string>

#include "common/error.h"
#include "common/unique_fd.h"

namespace stickerd {

// Connects to the Unix stream socket at `path`. The error names the path and
// the reason (no such file, refused, path too long).
Result<UniqueFd> connect_unix(const std::string& path);

}  // namespace stickerd
