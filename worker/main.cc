// stickerd-worker: parse arguments, load styles, warm up, say READY, serve.
#include <signal.h>
#include <sys/prctl.h>

#include "common/log.h"
#include "worker/render/allocator.h"
#include "worker/render/font_map.h"
#include "worker/resource_limits.h"
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
  apply_worker_limits();
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

  WorkerLoop loop(options->fd, *catalogue, renderer);
  loop.enable_test_styles(options->enable_test_styles);
  if (!loop.send_ready(*warmup_us)) {
    log::error("cannot write READY on fd {}; exiting", options->fd);
    return kExitOk;
  }
  return loop.run();
}
