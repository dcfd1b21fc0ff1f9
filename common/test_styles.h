// Test styles: the style ids that make a worker misbehave on purpose, so the
// integration tests can prove the supervisor's guarantees (deadlines,
// retries, poison, recycling). Shared by master admission and the worker;
// both refuse them unless the daemon runs with --enable-test-styles.
#pragma once

#include <string_view>

namespace stickerd {

inline constexpr std::string_view kTestStyleCrash = "test-crash";  // abort()
inline constexpr std::string_view kTestStyleHang = "test-hang";    // sleeps forever
inline constexpr std::string_view kTestStyleLeak = "test-leak";    // keeps N MiB per task
inline constexpr std::string_view kTestStyleExit = "test-exit";    // exit(3)
// Answers at once with a few placeholder bytes, no rendering: what the daemon
// itself costs per request (bench/run's overhead and soak figures).
inline constexpr std::string_view kTestStyleEcho = "test-echo";
// Sleeps (5 s, or the ms its text starts with), then answers like test-echo:
// a render that is slow but healthy, to hold a worker for a known time.
inline constexpr std::string_view kTestStyleSlow = "test-slow";
// Sleeps (50 ms, or the ms its text starts with) without using the CPU, then
// answers like test-echo: a render of known length that leaves the cores
// free, so a cluster's scaling shows on a 2-core machine.
inline constexpr std::string_view kTestStyleSleep = "test-sleep";

// Acts like an exploited render trying to break out of the sandbox
// (worker/sandbox.h); the text names the attempt: read (/etc/passwd), write
// (create a file), connect (socket to 127.0.0.1), exec (/bin/sh), fork,
// ptrace. A refused attempt is answered PERMISSION_DENIED; a forbidden call
// kills the worker with SIGSYS; an attempt that works is answered with a
// sticker whose data starts "escaped".
inline constexpr std::string_view kTestStyleEscape = "test-escape";

inline bool is_test_style(std::string_view id) {
  return id == kTestStyleCrash || id == kTestStyleHang || id == kTestStyleLeak ||
         id == kTestStyleExit || id == kTestStyleEcho || id == kTestStyleSlow ||
         id == kTestStyleSleep || id == kTestStyleEscape;
}

}  // namespace stickerd
