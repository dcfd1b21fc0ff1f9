// stickerctl poison: the requests the daemon refuses as POISONED, and why.
#include <cstring>

#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/exit_codes.h"
#include "ctl/report.h"

namespace stickerd::ctl {
namespace {

std::string cause(const v1::PoisonEntry& e) {
  if (e.term_signal() != 0)
    return fmt::format("signal {} ({})", e.term_signal(), ::strsignal(e.term_signal()));
  return fmt::format("exit code {}", e.exit_code());
}

void print_table(const v1::PoisonList& list) {
  if (list.entries_size() == 0) {
    fmt::print("no poisoned requests\n");
    return;
  }
  fmt::print("{:<16}  {:<16}  {:<24}  {:>5}  {:>7}  {:>7}  {:>8}  {}\n", "fingerprint", "style",
             "last death", "kills", "refused", "age s", "left s", "text");
  for (const auto& e : list.entries()) {
    fmt::print("{:<16}  {:<16}  {:<24}  {:>5}  {:>7}  {:>7.0f}  {:>8.0f}  {}\n", e.fingerprint(),
               e.style_id(), cause(e), e.kills(), e.refused(), e.age_seconds(),
               e.expires_in_seconds(), e.text_preview());
  }
}

}  // namespace

int run_poison(Client& client, const Options& options) {
  v1::Request request;
  request.set_id(1);
  request.mutable_list_poison();
  auto reply = call(client, request);
  if (!reply) return report_transport_failure(reply.error().message);
  if (reply->has_error()) return report_error(from_proto(reply->error()));
  if (!reply->has_poison())
    return report_transport_failure("the daemon's reply holds no poison list");
  if (options.json) {
    if (!print_json(reply->poison()))
      return report_transport_failure("cannot print the list as JSON");
  } else {
    print_table(reply->poison());
  }
  return kExitOk;
}

}  // namespace stickerd::ctl
