// glibc allocator settings for rendering processes.
#include "worker/render/allocator.h"

#include <malloc.h>

namespace stickerd::render {

void reuse_freed_memory() {
  constexpr int kMmapThreshold =
      4 << 20;  // a 512x512 BGRA frame is 1 MB; a whole animation's frames stay in the heap
  constexpr int kTrimThreshold = 16 << 20;
  // Failure (or a sanitizer's allocator, which ignores these) only costs speed.
  ::mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  ::mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

void release_freed_memory() { ::malloc_trim(0); }

}  // namespace stickerd::render
