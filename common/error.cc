// Errors as values: names and protocol conversion.
#include "common/error.h"

namespace stickerd {

std::string_view error_code_name(ErrorCode code) {
  const std::string& name = v1::ErrorCode_Name(code);
  if (name.empty()) return "UNKNOWN_ERROR_CODE";
  return name;
}

void to_proto(const Error& error, v1::Error& out) {
  out.set_code(error.code);
  out.set_message(error.message);
}

Error from_proto(const v1::Error& error) { return Error{error.code(), error.message()}; }

}  // namespace stickerd
