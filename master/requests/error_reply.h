// The error forms of a client reply and of a task's result, from a code and
// a message: the one way the master spells "answer this with an error".
#pragma once

#include <string>
#include <utility>

#include "common/error.h"
#include "stickerd.pb.h"
#include "worker.pb.h"

namespace stickerd {

inline v1::Reply error_reply(ErrorCode code, std::string message) {
  v1::Reply reply;
  to_proto(make_error(code, std::move(message)), *reply.mutable_error());
  return reply;
}

inline v1::TaskResult error_result(ErrorCode code, std::string message) {
  v1::TaskResult result;
  to_proto(make_error(code, std::move(message)), *result.mutable_error());
  return result;
}

}  // namespace stickerd
