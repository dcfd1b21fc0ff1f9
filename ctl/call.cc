// One request, one final reply: the exchange every single-shot command uses.
#include <fmt/format.h>

#include "ctl/commands.h"

namespace stickerd::ctl {

Result<v1::Reply> call(Client& client, const v1::Request& request) {
  if (!client.send(request)) {
    return make_error(v1::INTERNAL, "the daemon closed the connection before the request was sent");
  }
  auto reply = client.receive();
  // Id 0 is the daemon speaking about the connection (refused at a
  // connection limit, a protocol error): its error is the answer, and the
  // caller reports its code like any other.
  if (reply && reply->id() == 0 && reply->has_error()) return reply;
  if (reply && reply->id() != request.id()) {
    return make_error(v1::INTERNAL, fmt::format("the daemon answered request {} instead of {}",
                                                reply->id(), request.id()));
  }
  return reply;
}

}  // namespace stickerd::ctl
