// The one reader of /proc memory figures, for the master (each worker's RSS
// in metrics and `stickerctl workers`), the worker (its RSS in each result)
// and the tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace stickerd {

// Resident set size in bytes from /proc/<pid>/statm; nothing when the
// process is gone or /proc cannot be read.
std::optional<std::uint64_t> resident_bytes(pid_t pid);
// The same for the calling process (/proc/self/statm, kept open after the
// first call, so it still works once the process cannot open files).
std::optional<std::uint64_t> own_resident_bytes();

}  // namespace stickerd
