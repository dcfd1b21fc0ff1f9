// Sandbox: the walls a worker puts up around itself after warm-up and before
// READY, because from then on it parses text that any chat user chooses
// (pango, HarfBuzz, FreeType, cairo and libwebp have had memory-safety bugs).
//
//  1. PR_SET_NO_NEW_PRIVS: no exec can ever gain privileges again (and
//     seccomp and Landlock require it of an unprivileged process).
//  2. Landlock, where the kernel has it: the only files the worker can open
//     are the font set's files, read-only. Cairo keeps at most a handful of
//     FreeType faces open and reopens the others by path, so reading fonts
//     lazily must stay possible; Landlock makes sure that is all it can read.
//     Without Landlock it relies on seccomp alone, and READY says so (the
//     master logs that once).
//  3. A seccomp-bpf allow-list (libseccomp) of what rendering needs: read and
//     write on open descriptors, memory, futex, clocks, threads (clone with
//     CLONE_THREAD), opening files read-only, exit. Everything else kills the
//     worker with SIGSYS (see sandbox.cc for the per-call choices), after a
//     tiny handler has told the master which call it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"

namespace stickerd {

struct SandboxOptions {
  // Files the worker may still open (read-only) once sandboxed: the font set.
  std::vector<std::string> readable_files;
  // The master's channel: the SIGSYS handler writes a Violation frame on it.
  int channel_fd = 3;
};

// Installs the sandbox for the whole process (every thread it will create).
// Returns the state for READY: "seccomp+landlock" or "seccomp". An error
// means the worker must not serve (it is not sandboxed as promised).
Result<std::string> enter_sandbox(const SandboxOptions& options);

// The frame the SIGSYS handler writes: a length-prefixed FromWorker{violation}
// encoded by hand into `out` (no allocation: it runs in a signal handler).
// Returns its length, or 0 when `out` is too small. Exposed for unit tests.
std::size_t encode_violation_frame(std::uint32_t syscall, const char* name, char* out,
                                   std::size_t capacity);

}  // namespace stickerd
