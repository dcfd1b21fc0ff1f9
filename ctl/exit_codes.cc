// stickerctl's exit codes: ErrorCode → process exit status.
#include "ctl/exit_codes.h"

#include <fmt/format.h>

namespace stickerd::ctl {

int exit_code_for(ErrorCode code) {
  if (code == v1::OK || !v1::ErrorCode_IsValid(code)) code = v1::INTERNAL;
  return kExitErrorBase + static_cast<int>(code);
}

std::string exit_code_table() {
  std::string out = fmt::format(
      "  {:>3}  success\n"
      "  {:>3}  usage error\n"
      "  {:>3}  cannot connect to the daemon\n"
      "  {:>3}  connection lost, timed out, unexpected reply, or output not writable\n"
      "  {} + the code's number, when the daemon answers with an error:\n",
      kExitOk, kExitUsage, kExitCannotConnect, kExitTransport, kExitErrorBase);
  const auto* descriptor = v1::ErrorCode_descriptor();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto code = static_cast<ErrorCode>(descriptor->value(i)->number());
    if (code == v1::OK) continue;
    out += fmt::format("  {:>3}  {}\n", exit_code_for(code), error_code_name(code));
  }
  return out;
}

}  // namespace stickerd::ctl
