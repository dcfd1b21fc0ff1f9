// Chaos: the worker side of the test styles (common/test_styles.h). Each one
// misbehaves the way a real bug would (a crash, a hang, a leak, an exit), or a
// slow but healthy render would (test-slow, test-sleep), except test-echo, which answers
// at once and measures the daemon's own cost, and test-escape, which acts
// like exploit code trying to leave the sandbox.
// They run only in a worker started with --enable-test-styles; otherwise
// they are refused with INVALID_ARGUMENT, so production cannot trip them.
#pragma once

#include <optional>

#include "worker.pb.h"

namespace stickerd::chaos {

// How much test-leak keeps per task unless the text starts with a number
// (e.g. "40 leak" keeps 40 MiB).
inline constexpr unsigned kDefaultLeakMib = 32;
// How long test-slow takes unless the text starts with a number of ms.
inline constexpr unsigned kDefaultSlowMs = 5'000;
// How long test-sleep takes unless the text starts with a number of ms.
inline constexpr unsigned kDefaultSleepMs = 50;

// For a test style: crashes, hangs or exits (never returns), or for
// test-leak leaks and returns nullopt so the task renders normally in the
// default style, or for test-echo returns a placeholder sticker at once
// (test-slow, test-sleep: after sleeping).
// For a refused test style returns the error result.
// Call only when is_test_style(task.style_id()).
std::optional<v1::TaskResult> run(const v1::Task& task, bool enabled);

}  // namespace stickerd::chaos
