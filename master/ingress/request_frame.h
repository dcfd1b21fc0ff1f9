// RequestFrame: what one client frame's payload is — a Request, or a
// malformed one with the reply it gets and whether the connection survives.
//
// The rule (docs/PROTOCOL.md, "Malformed frames"): a frame whose request id
// can be read is one bad request. It is answered INVALID_ARGUMENT under that
// id and the connection stays open, as for an unknown kind: the stream is
// intact, the client can match the error to its request, and its other
// requests are not thrown away. A frame with no readable id (not protobuf at
// all, an id of the wrong wire type, no id, or id 0, which is reserved for
// connection-level errors) cannot be answered under any request's id: it is
// answered with id 0, and id 0 always means the connection is closing.
//
// The message names the true reason: the field whose bytes are not valid
// UTF-8, or the submessage that does not parse. (A field of the wrong wire
// type is kept as an unknown field by protobuf, so it is never the reason.)
// Pure: no I/O, driven from memory by tests/unit/master.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "common/error.h"
#include "stickerd.pb.h"

namespace stickerd {

struct MalformedRequest {
  // The request id to answer under; 0: none could be read, so the reply is
  // connection-level and the connection closes.
  std::uint64_t id = 0;
  Error error;
  bool closes_connection() const { return id == 0; }
};

std::variant<v1::Request, MalformedRequest> read_request(std::string_view payload);

}  // namespace stickerd
