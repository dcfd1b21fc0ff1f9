// stickerd: the daemon's entry point. Parses the configuration, loads the
// style catalogue, runs the Server on one libuv loop, returns its exit code.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "build_config.h"
#include "common/log.h"
#include "common/socket_path.h"
#include "common/style_catalogue.h"
#include "master/config/config.h"
#include "master/config/config_source.h"
#include "master/ops/signals.h"
#include "master/server.h"
#include "master/uv/uv_handle.h"

namespace {

using namespace stickerd;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

bool is_executable(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// The worker binary the configuration names, else the first default that exists.
Result<std::string> resolve_worker_binary(const Config& config) {
  if (!config.worker_binary.empty()) {
    if (is_executable(config.worker_binary)) return config.worker_binary;
    return make_error(
        v1::INVALID_ARGUMENT,
        fmt::format("worker binary {} is not an executable file", config.worker_binary));
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto candidates = worker_binary_candidates(ec ? std::string() : self.string());
  for (const auto& path : candidates) {
    if (is_executable(path)) return path;
  }
  return make_error(v1::INVALID_ARGUMENT,
                    fmt::format("stickerd-worker not found (tried {}); use --worker-binary",
                                fmt::join(candidates, ", ")));
}

}  // namespace

int main(int argc, char** argv) {
  ignore_sigpipe();

  // Kept by the server, so a reload rebuilds the configuration the same way.
  ConfigSource source{
      std::vector<std::string>(argv + 1, argv + argc),
      ConfigDefaults{uv_available_parallelism(), default_runtime_dir() + "/stickerd.sock",
                     default_styles_dir(), default_cache_dir()}};
  auto invocation = load_config(source);
  if (!invocation) {
    fmt::print(stderr, "stickerd: {}\n", invocation.error().message);
    return kExitUsage;
  }
  if (invocation->action == Action::kHelp) {
    fmt::print("{}", usage());
    return 0;
  }
  if (invocation->action == Action::kCheckConfig) {
    fmt::print("# stickerd {}: the configuration is valid\n{}", STICKERD_VERSION,
               describe_config(*invocation));
    return 0;
  }
  if (invocation->action == Action::kVersion) {
    fmt::print("stickerd {}\n", STICKERD_VERSION);
    return 0;
  }
  Config config = invocation->config;
  const Config loaded = config;  // before the worker binary is resolved: what a reload compares

  auto worker = resolve_worker_binary(config);
  if (!worker) {
    log::error("{}", worker.error().message);
    return kExitFailure;
  }
  config.worker_binary = *worker;

  auto catalogue = StyleCatalogue::load_dir(config.styles_dir);
  if (!catalogue) {
    log::error("cannot load the style catalogue from {}: {}", config.styles_dir,
               catalogue.error().message);
    return kExitFailure;
  }
  if (catalogue->styles().empty()) {
    log::error("the style catalogue {} has no styles", config.styles_dir);
    return kExitFailure;
  }
  log::info("stickerd {}: {} workers ({}), queue {}, {} styles from {}", STICKERD_VERSION,
            config.workers, config.worker_binary, config.queue_size, catalogue->styles().size(),
            config.styles_dir);
  if (config.sandbox == "off") {
    log::warning(
        "SANDBOX OFF (--sandbox off): workers render hostile text with every right of this "
        "daemon's user: they can read its files, open sockets and run programs. Use this only "
        "to debug a worker, never in production (docs/SECURITY.md)");
  }

  UvLoop loop;  // outlives the server, so every close callback runs before uv_loop_close
  Server server(loop.get(), std::move(config), std::move(*catalogue), std::move(source), loaded);
  if (auto error = server.start()) {
    log::error("{}", error->message);
    return kExitFailure;
  }
  uv_run(loop.get(), UV_RUN_DEFAULT);
  return server.exit_code();
}
