// Errors as values: the protocol's ErrorCode plus a sentence, and Result<T>.
//
// Expected failures (bad request, queue full, worker gone) travel as Error
// values up to the reply; impossible states abort instead.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "stickerd.pb.h"

namespace stickerd {

using ErrorCode = v1::ErrorCode;

struct Error {
  ErrorCode code = v1::INTERNAL;
  std::string message;
};

// The code's wire name, e.g. "QUEUE_FULL".
std::string_view error_code_name(ErrorCode code);

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// Fills a protocol Error message.
void to_proto(const Error& error, v1::Error& out);
Error from_proto(const v1::Error& error);

// A value or an Error. Small on purpose: C++20 has no std::expected.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace stickerd

template <>
struct fmt::formatter<stickerd::Error> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const stickerd::Error& e, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}: {}", stickerd::error_code_name(e.code), e.message);
  }
};
