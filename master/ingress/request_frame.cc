// RequestFrame: parse a client frame; for a malformed one, find its id and
// the true reason it did not parse.
#include "master/ingress/request_frame.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <optional>
#include <string>

#include <fmt/format.h>

#include "common/utf8.h"

namespace stickerd {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// protobuf's own nesting limit: deeper than this, nothing parsed anyway.
constexpr int kMaxDepth = 100;

MalformedRequest connection_level(std::string message) {
  return MalformedRequest{0, make_error(v1::INVALID_ARGUMENT, std::move(message))};
}

// Whether `wire` is how a field of this type is sent (packed repeated
// scalars are length-delimited too).
bool wire_type_matches(const FieldDescriptor& field, UnknownField::Type wire) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
    case FieldDescriptor::TYPE_MESSAGE:
      return wire == UnknownField::TYPE_LENGTH_DELIMITED;
    case FieldDescriptor::TYPE_GROUP:
      return wire == UnknownField::TYPE_GROUP;
    case FieldDescriptor::TYPE_FIXED32:
    case FieldDescriptor::TYPE_SFIXED32:
    case FieldDescriptor::TYPE_FLOAT:
      return wire == UnknownField::TYPE_FIXED32 ||
             (field.is_repeated() && wire == UnknownField::TYPE_LENGTH_DELIMITED);
    case FieldDescriptor::TYPE_FIXED64:
    case FieldDescriptor::TYPE_SFIXED64:
    case FieldDescriptor::TYPE_DOUBLE:
      return wire == UnknownField::TYPE_FIXED64 ||
             (field.is_repeated() && wire == UnknownField::TYPE_LENGTH_DELIMITED);
    default:  // varints: ints, enums, bool
      return wire == UnknownField::TYPE_VARINT ||
             (field.is_repeated() && wire == UnknownField::TYPE_LENGTH_DELIMITED);
  }
}

std::string join(const std::string& path, const FieldDescriptor& field) {
  return path.empty() ? field.name() : path + "." + field.name();
}

// The first reason `fields` (a message of type `type`, at `path`) does not
// parse, or nullopt when none of its known fields is at fault.
std::optional<std::string> diagnose(const UnknownFieldSet& fields, const Descriptor& type,
                                    const std::string& path, int depth) {
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    const FieldDescriptor* field = type.FindFieldByNumber(f.number());
    if (field == nullptr) continue;  // unknown fields are allowed (newer clients)
    const std::string name = join(path, *field);
    // protobuf keeps a field of the wrong wire type as an unknown field
    // rather than failing, so it is never the reason.
    if (!wire_type_matches(*field, f.type())) continue;
    if (field->type() == FieldDescriptor::TYPE_STRING && !is_valid_utf8(f.length_delimited())) {
      return fmt::format("field {} is not valid UTF-8", name);
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      UnknownFieldSet inner;
      if (depth >= kMaxDepth || !inner.ParseFromString(f.length_delimited())) {
        return fmt::format("field {} does not parse as a {} message", name,
                           field->message_type()->name());
      }
      if (auto reason = diagnose(inner, *field->message_type(), name, depth + 1)) return reason;
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<v1::Request, MalformedRequest> read_request(std::string_view payload) {
  v1::Request request;
  if (request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    if (request.id() != 0) return request;
    if (payload.empty()) {
      return connection_level(
          "an empty frame (length 0) is a request without an id; id 0 is reserved for "
          "connection-level errors: number requests from 1");
    }
    return connection_level(
        "a request without an id (or with id 0); id 0 is reserved for connection-level errors: "
        "number requests from 1");
  }
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return connection_level(
        fmt::format("a frame of {} bytes is not a protobuf message, so not a stickerd.v1.Request",
                    payload.size()));
  }
  std::uint64_t id = 0;
  bool id_garbled = false;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() != v1::Request::kIdFieldNumber) continue;
    if (f.type() == UnknownField::TYPE_VARINT) {
      id = f.varint();  // the last one wins, as in protobuf
      id_garbled = false;
    } else {
      id_garbled = true;
    }
  }
  const std::string reason = diagnose(fields, *v1::Request::descriptor(), "", 0)
                                 .value_or("it does not parse as a stickerd.v1.Request");
  if (id == 0 || id_garbled) {
    return connection_level(fmt::format(
        "a frame is not a valid request ({}) and has no readable id to answer under", reason));
  }
  return MalformedRequest{
      id, make_error(v1::INVALID_ARGUMENT, fmt::format("request {} is malformed: {}", id, reason))};
}

}  // namespace stickerd
