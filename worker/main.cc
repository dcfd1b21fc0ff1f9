// stickerd-worker: parse arguments, load styles, warm up, enter the sandbox,
// say READY, serve.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/log.h"
#include "common/process_memory.h"
#include "worker/render/allocator.h"
#include "worker/render/font_map.h"
#include "worker/resource_limits.h"
#include "worker/sandbox.h"
#include "worker/worker_loop.h"

int main(int argc, char** argv) {
  using namespace stickerd;
  // Never outlive the master, even if it is SIGKILLed and cannot close our pipe.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // A write to a closed channel must be an error return, not a silent death.
  ::signal(SIGPIPE, SIG_IGN);

  auto options = parse_worker_options(argc, argv);
  if (!options) {
    log::error("{}", options.error().message);
    return kExitUsage;
  }
  log::set_tag(fmt::format("worker[{}]", options->slot));
  // Only stdio and the channel: a descriptor the master held open without
  // O_CLOEXEC when it forked (its disk cache's LMDB file) is no business of a
  // worker's, and would pass its sandbox.
  if (options->fd > 3) ::close_range(3, static_cast<unsigned>(options->fd) - 1, 0);
  ::close_range(static_cast<unsigned>(options->fd) + 1, ~0u, 0);
  apply_worker_limits(options->max_rss_mb);
  render::reuse_freed_memory();

  auto catalogue = StyleCatalogue::load_dir(options->styles_dir);
  if (!catalogue) {
    log::error("cannot load styles: {}", catalogue.error().message);
    return kExitConfig;
  }
  // The renderer sees the declared fonts only; without a font set the
  // worker would draw with whatever the host has, so it refuses to start.
  if (catalogue->font_set().files.empty()) {
    log::error("styles directory {} has no {}: no font set", options->styles_dir, kFontSetFile);
    return kExitConfig;
  }
  if (auto map = render::make_font_map(catalogue->font_set()); !map) {
    log::error("cannot use the font set: {}", map.error().message);
    return kExitConfig;
  }
  render::Renderer renderer(catalogue->font_set());
  auto warmup_us = warm_up(*catalogue, renderer);
  if (!warmup_us) {
    log::error("warm-up render failed: {}", warmup_us.error());
    return kExitConfig;
  }

  // From here on the worker parses hostile text: lock it down first.
  std::string sandbox = "off";
  if (options->sandbox) {
    (void)own_resident_bytes();  // opens /proc/self/statm while it still can
    SandboxOptions walls{.readable_files = {}, .channel_fd = options->fd};
    for (const FontFile& font : catalogue->font_set().files)
      walls.readable_files.push_back(font.path);
    apply_sandbox_limits();
    auto entered = enter_sandbox(walls);
    if (!entered) {
      // Serving unsandboxed when a sandbox was asked for would be a lie to
      // the operator; exiting 78 stops the slot instead of a respawn loop.
      log::error("cannot enter the sandbox: {}", entered.error().message);
      return kExitConfig;
    }
    sandbox = *entered;
  }

  WorkerLoop loop(options->fd, *catalogue, renderer);
  loop.enable_test_styles(options->enable_test_styles);
  if (!loop.send_ready(*warmup_us, sandbox)) {
    log::error("cannot write READY on fd {}; exiting", options->fd);
    return kExitOk;
  }
  return loop.run();
}
