// process_memory: /proc/<pid>/statm's second field (resident pages) in bytes.
#include "common/process_memory.h"

#include <unistd.h>

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
  return statm_resident_bytes("/proc/self/statm");
}

}  // namespace stickerd
