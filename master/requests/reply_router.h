// ReplyRouter: routes a task's outcome to the booked request it serves and
// sends every final reply. This is where the central promise is kept:
// finish() is the one function that sends a final reply, and it takes the
// request out of the RequestBook as it does, so a second outcome for the
// same request (a duplicate settle, a result after a cancel, a request
// whose connection is gone) finds nothing and sends nothing.
// No loop, no connections: replies leave through a ReplySink, so it is
// unit-tested from memory (tests/unit/master/requests/reply_router_test.cc).
#pragma once

#include <cstdint>
#include <string>

#include "master/ops/metrics.h"
#include "master/requests/reply_sink.h"
#include "master/requests/request_book.h"
#include "worker.pb.h"

namespace stickerd {

class ReplyRouter {
 public:
  ReplyRouter(RequestBook& book, ReplySink& sink, Metrics& metrics)
      : book_(book), sink_(sink), metrics_(metrics) {}

  // One task's outcome for request `serial`: a render's final reply, or a
  // batch's item `batch_index` (style `style_id`), followed by the batch's
  // one batch_done after its last outstanding item. Nothing when the
  // request is no longer booked.
  void route(std::uint64_t serial, std::uint32_t batch_index, const std::string& style_id,
             v1::TaskResult result);
  // Sends the final reply of booked request `serial` and forgets it;
  // nothing when it is not booked.
  void finish(std::uint64_t serial, v1::Reply reply);

 private:
  void route_batch_item(PendingRequest& request, std::uint32_t batch_index,
                        const std::string& style_id, v1::TaskResult result, bool ok);

  RequestBook& book_;
  ReplySink& sink_;
  Metrics& metrics_;
};

}  // namespace stickerd
