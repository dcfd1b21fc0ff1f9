// Resource limits: setrlimit for the worker process.
#include "worker/resource_limits.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.h"

#if defined(__SANITIZE_ADDRESS__)
#define STICKERD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STICKERD_ASAN 1
#endif
#endif

namespace stickerd {
namespace {

constexpr rlim_t kMaxFiles = 256;
constexpr rlim_t kSandboxedMaxFiles = 32;
constexpr rlim_t kMaxCpuSeconds = 3600;
[[maybe_unused]] constexpr rlim_t kMinAddressSpace = rlim_t{4} << 30;

void lower(int resource, const char* name, rlim_t limit) {
  rlimit current{};
  if (::getrlimit(resource, &current) != 0) return;
  // Only ever lower: an unprivileged process cannot raise a hard limit.
  rlimit wanted{limit, limit};
  if (current.rlim_max != RLIM_INFINITY && current.rlim_max < limit) wanted = current;
  if (::setrlimit(resource, &wanted) != 0) {
    log::warning("cannot set {} to {}: {}", name, static_cast<unsigned long long>(limit),
                 std::strerror(errno));
  }
}

bool is_regular_file(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

void apply_worker_limits([[maybe_unused]] std::uint64_t max_rss_mb) {
  lower(RLIMIT_NOFILE, "RLIMIT_NOFILE", kMaxFiles);
  lower(RLIMIT_CPU, "RLIMIT_CPU", kMaxCpuSeconds);
#ifndef STICKERD_ASAN
  // Address space runs far ahead of RSS (font mappings, thread stacks,
  // malloc arenas), hence the factor: this only stops a runaway allocation
  // that the RSS check after each task would see too late.
  lower(RLIMIT_AS, "RLIMIT_AS", std::max(kMinAddressSpace, rlim_t{max_rss_mb} << 22));
#endif
}

void apply_sandbox_limits() {
  lower(RLIMIT_NOFILE, "RLIMIT_NOFILE", kSandboxedMaxFiles);
  lower(RLIMIT_CORE, "RLIMIT_CORE", 0);
  if (!is_regular_file(STDOUT_FILENO) && !is_regular_file(STDERR_FILENO)) {
    lower(RLIMIT_FSIZE, "RLIMIT_FSIZE", 0);
  }
}

}  // namespace stickerd
