// Logging to stderr with journald priority prefixes ("<3>" error, "<4>"
// warning, "<6>" info), so journald files each line at the right level and a
// terminal still reads it.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace stickerd::log {

enum class Level { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// The process name printed after the prefix, e.g. "stickerd" or "worker[3]".
void set_tag(std::string_view tag);
void write(Level level, std::string_view message);

template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kWarning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace stickerd::log
