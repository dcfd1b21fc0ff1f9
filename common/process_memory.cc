// process_memory: /proc/<pid>/statm's second field (resident pages) in bytes.
#include "common/process_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace stickerd {
namespace {

std::optional<std::uint64_t> statm_resident_bytes(const std::string& path) {
  std::ifstream statm(path);
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  if (!(statm >> size >> resident)) return std::nullopt;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

std::optional<std::uint64_t> resident_bytes(pid_t pid) {
  return statm_resident_bytes("/proc/" + std::to_string(pid) + "/statm");
}

std::optional<std::uint64_t> own_resident_bytes() {
  // Opened at the first call and kept: a sandboxed worker may open nothing
  // but its fonts (worker/sandbox.h), so it calls this once before.
  static const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char text[128];
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return std::nullopt;
  text[n] = '\0';
  unsigned long long size = 0;
  unsigned long long resident = 0;
  if (std::sscanf(text, "%llu %llu", &size, &resident) != 2) return std::nullopt;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace stickerd
