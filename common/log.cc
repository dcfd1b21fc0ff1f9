// Logging to stderr with journald priority prefixes.
#include "common/log.h"

#include <unistd.h>

#include <string>

namespace stickerd::log {
namespace {

std::string& tag() {
  static std::string t = "stickerd";
  return t;
}

}  // namespace

void set_tag(std::string_view t) { tag() = std::string(t); }

void write(Level level, std::string_view message) {
  // One write() per line so lines from the master and its workers, which
  // share stderr, never interleave mid-line.
  std::string line = fmt::format("<{}>{}: {}\n", static_cast<int>(level), tag(), message);
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace stickerd::log
