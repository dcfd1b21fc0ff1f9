// answer(): the final reply to a request that was never booked (refused at
// admission, or answered at once: stats, styles, a cache hit, a control
// request). Every refusal before booking passes here and is counted.
#pragma once

#include <cstdint>
#include <utility>

#include "master/ingress/connection.h"
#include "master/ops/metrics.h"
#include "stickerd.pb.h"

namespace stickerd {

inline void answer(Metrics& metrics, Connection& connection, std::uint64_t id, v1::Reply reply) {
  if (reply.has_error()) metrics.rejected(reply.error().code());
  reply.set_id(id);
  connection.send(reply);
}

}  // namespace stickerd
