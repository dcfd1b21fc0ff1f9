// Resource limits: setrlimit for the worker process.
#include "worker/resource_limits.h"

#include <sys/resource.h>

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
constexpr rlim_t kMaxCpuSeconds = 3600;
[[maybe_unused]] constexpr rlim_t kMaxAddressSpace = rlim_t{4} << 30;

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

}  // namespace

void apply_worker_limits() {
  lower(RLIMIT_NOFILE, "RLIMIT_NOFILE", kMaxFiles);
  lower(RLIMIT_CPU, "RLIMIT_CPU", kMaxCpuSeconds);
#ifndef STICKERD_ASAN
  lower(RLIMIT_AS, "RLIMIT_AS", kMaxAddressSpace);
#endif
}

}  // namespace stickerd
