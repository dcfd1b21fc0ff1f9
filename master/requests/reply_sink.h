// ReplySink: where the request path's replies go. The Dispatcher knows
// requests by connection id only; the layer that holds the connections
// implements this, and drops a reply for a connection that is gone.
#pragma once

#include <cstdint>

#include "stickerd.pb.h"

namespace stickerd {

class ReplySink {
 public:
  // Writes `reply` (already carrying its client id) to the connection, if
  // it is still there: nothing is ever written to a closed connection.
  virtual void send(std::uint64_t connection_id, const v1::Reply& reply) = 0;
  // A final reply went out on the connection: a retired connection closes
  // once nothing is left in flight.
  virtual void final_reply_sent(std::uint64_t connection_id) = 0;

 protected:
  ~ReplySink() = default;
};

}  // namespace stickerd
