// stickerd-worker: parse arguments, load styles, warm up, say READY, serve.
#include <signal.h>
#include <sys/prctl.h>

#include "common/log.h"
#include "worker/render/allocator.h"
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
  render::Renderer renderer;
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
