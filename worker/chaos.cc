// Chaos: crash, hang, leak, exit and slowness on demand, for the reliability
// and overload tests, and an instant echo for the overhead benchmarks.
#include "worker/chaos.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "common/error.h"
#include "common/log.h"
#include "common/test_styles.h"

namespace stickerd::chaos {
namespace {

// Leaked blocks stay reachable here on purpose: the point is growing RSS,
// and LeakSanitizer must not report them as a bug at exit.
std::vector<std::unique_ptr<char[]>>& leaked() {
  static std::vector<std::unique_ptr<char[]>> blocks;
  return blocks;
}

// The number the text starts with, if it is in 1..max; otherwise fallback.
unsigned leading_number(const std::string& text, unsigned fallback, unsigned max) {
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end != text.data() && n > 0 && n <= max ? n : fallback;
}

v1::TaskResult placeholder(const v1::Task& task) {
  v1::TaskResult result;
  result.set_task_id(task.task_id());
  v1::Sticker* s = result.mutable_sticker();
  s->set_data("echo");
  s->set_format(task.format());
  s->set_profile(task.profile());
  s->set_style_id(task.style_id());
  return result;
}

}  // namespace

std::optional<v1::TaskResult> run(const v1::Task& task, bool enabled) {
  const std::string& id = task.style_id();
  if (!enabled) {
    v1::TaskResult result;
    result.set_task_id(task.task_id());
    to_proto(make_error(v1::INVALID_ARGUMENT,
                        fmt::format("style {} is a test style; this worker was not started "
                                    "with --enable-test-styles",
                                    id)),
             *result.mutable_error());
    return result;
  }
  if (id == kTestStyleCrash) {
    log::warning("test-crash: aborting on purpose (task {})", task.task_id());
    std::abort();
  }
  if (id == kTestStyleExit) {
    log::warning("test-exit: exiting with code 3 on purpose (task {})", task.task_id());
    std::_Exit(3);
  }
  if (id == kTestStyleEcho) return placeholder(task);
  if (id == kTestStyleSlow) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(leading_number(task.text(), kDefaultSlowMs, 600'000)));
    return placeholder(task);
  }
  if (id == kTestStyleHang) {
    log::warning("test-hang: hanging on purpose (task {})", task.task_id());
    for (;;) ::pause();
  }
  // test-leak: touch every page so the memory is resident, not just reserved.
  const std::size_t bytes =
      static_cast<std::size_t>(leading_number(task.text(), kDefaultLeakMib, 1024)) << 20;
  auto block = std::make_unique<char[]>(bytes);
  std::memset(block.get(), 0x5a, bytes);
  leaked().push_back(std::move(block));
  return std::nullopt;
}

}  // namespace stickerd::chaos
