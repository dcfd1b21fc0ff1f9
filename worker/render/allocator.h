// Keeps a rendering process's freed buffers for reuse instead of handing them
// back to the kernel after every sticker.
#pragma once

namespace stickerd::render {

// A sticker allocates and frees megabytes per render (the canvas copy, layer
// groups, libwebp's planes). glibc's defaults give blocks over its dynamic mmap
// threshold back with munmap and trim the heap top after each free, so every
// render paid for fresh zeroed pages again: 20 % of a static sticker's CPU went
// to page faults (perf). Blocks up to 4 MB now come from the heap, and up to
// 16 MB of free heap top is kept; a worker's RSS stays at its working set.
// Call once at start-up, before rendering; process-wide.
void reuse_freed_memory();

// Hands free heap pages back to the kernel (malloc_trim). For after a render
// far larger than the usual working set: an animation's 30 frames are 30 MB,
// which reuse_freed_memory() would otherwise keep resident for good.
void release_freed_memory();

}  // namespace stickerd::render
