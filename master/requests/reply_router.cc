#include "master/requests/reply_router.h"

#include "master/requests/error_reply.h"

namespace stickerd {

void ReplyRouter::route(std::uint64_t serial, std::uint32_t batch_index,
                        const std::string& style_id, v1::TaskResult result) {
  PendingRequest* request = book_.find(serial);
  if (request == nullptr) return;  // cancelled, or its client left: discard
  const bool ok = result.has_sticker();
  if (!ok && (!result.has_error() || result.error().code() == v1::OK)) {
    result = error_result(v1::INTERNAL, "the worker answered with neither a sticker nor an error");
  }
  if (request->kind == PendingRequest::Kind::kBatch) {
    route_batch_item(*request, batch_index, style_id, std::move(result), ok);
    return;
  }
  v1::Reply reply;
  if (ok) {
    reply.mutable_sticker()->Swap(result.mutable_sticker());
  } else {
    reply.mutable_error()->Swap(result.mutable_error());
  }
  finish(request->serial, std::move(reply));
}

void ReplyRouter::route_batch_item(PendingRequest& request, std::uint32_t batch_index,
                                   const std::string& style_id, v1::TaskResult result, bool ok) {
  v1::Reply item;
  item.set_id(request.client_id);
  v1::BatchItem* bi = item.mutable_batch_item();
  bi->set_index(batch_index);
  bi->set_style_id(style_id);
  if (ok) {
    bi->mutable_sticker()->Swap(result.mutable_sticker());
  } else {
    bi->mutable_error()->Swap(result.mutable_error());
  }
  --request.outstanding;
  if (ok) ++request.batch_succeeded;
  // Copy what the batch_done needs: sending may close the connection and
  // take the request with it.
  const std::uint64_t serial = request.serial;
  const bool last = request.outstanding == 0;
  v1::Reply done;
  done.mutable_batch_done()->set_count(request.batch_count);
  done.mutable_batch_done()->set_succeeded(request.batch_succeeded);
  sink_.send(request.connection_id, item);
  if (last) finish(serial, std::move(done));
}

void ReplyRouter::finish(std::uint64_t serial, v1::Reply reply) {
  auto request = book_.take(serial);
  if (!request) return;
  metrics_.request_finished(reply.has_error() ? reply.error().code() : v1::OK);
  reply.set_id(request->client_id);
  sink_.send(request->connection_id, reply);
  sink_.final_reply_sent(request->connection_id);
}

}  // namespace stickerd
