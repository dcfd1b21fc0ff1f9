// stickerctl: the command-line client of stickerd. Parses the command line,
// connects and hands over to the command.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "build_config.h"
#include "common/socket_path.h"
#include "ctl/client.h"
#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/options.h"
#include "ctl/usage.h"

using namespace stickerd::ctl;

int main(int argc, char** argv) {
  auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    fmt::print(stderr, "stickerctl: {}\n(see stickerctl --help)\n", options.error().message);
    return kExitUsage;
  }
  if (options->command == Command::kHelp) {
    fmt::print("{}", usage_text());
    return kExitOk;
  }
  if (options->command == Command::kVersion) {
    fmt::print("stickerctl {}\n", STICKERD_VERSION);
    return kExitOk;
  }

  if (options->command == Command::kFonts) return run_fonts(*options);

  // Control commands go to the control socket; the rest to the client socket.
  const std::string socket_path =
      is_control(options->command)
          ? (options->control_socket.empty() ? stickerd::default_control_socket()
                                             : options->control_socket)
          : (options->socket_path.empty() ? stickerd::default_client_socket()
                                          : options->socket_path);
  auto client = Client::connect(socket_path, options->timeout);
  if (!client) {
    fmt::print(stderr, "stickerctl: {}\n", client.error().message);
    return kExitCannotConnect;
  }

  switch (options->command) {
    case Command::kRender:
      return run_render(*client, *options);
    case Command::kBatch:
      return run_batch(*client, *options);
    case Command::kGallery:
      return run_gallery(*client, *options);
    case Command::kSheet:
      return run_sheet(*client, *options);
    case Command::kStats:
      return run_stats(*client, *options);
    case Command::kStyles:
      return run_styles(*client, *options);
    case Command::kPoison:
      return run_poison(*client, *options);
    case Command::kWorkers:
      return run_workers(*client, *options);
    case Command::kTop:
      return run_top(*client, *options);
    case Command::kCacheTop:
      return run_cache_top(*client, *options);
    case Command::kCluster:
      return run_cluster(*client, *options);
    case Command::kScale:
    case Command::kDrain:
    case Command::kResume:
    case Command::kRestartWorkers:
    case Command::kReload:
      return run_control(*client, *options);
    case Command::kHelp:
    case Command::kVersion:
    case Command::kFonts:
      break;  // answered above, before connecting
  }
  return kExitOk;
}
