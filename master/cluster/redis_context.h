// RedisContext: owns one hiredis redisAsyncContext.
//
// hiredis frees a context itself after a failed connect and after a
// disconnect, right after it has called the matching callback: the owner
// then calls forget(). Otherwise reset() frees it with redisAsyncFree, which
// calls every pending reply callback (with no reply) and the disconnect
// callback; it first clears the context's `data`, so those callbacks find
// no owner and do nothing. Safe inside a hiredis callback too: hiredis
// defers the free until the callback returns.
#pragma once

#include <hiredis/async.h>

#include <utility>

namespace stickerd {

class RedisContext {
 public:
  RedisContext() = default;
  explicit RedisContext(redisAsyncContext* context) : context_(context) {}
  RedisContext(const RedisContext&) = delete;
  RedisContext& operator=(const RedisContext&) = delete;
  RedisContext(RedisContext&& other) noexcept : context_(std::exchange(other.context_, nullptr)) {}
  RedisContext& operator=(RedisContext&& other) noexcept {
    if (this != &other) {
      reset();
      context_ = std::exchange(other.context_, nullptr);
    }
    return *this;
  }
  ~RedisContext() { reset(); }

  redisAsyncContext* get() const { return context_; }
  explicit operator bool() const { return context_ != nullptr; }

  void reset() {
    if (context_ == nullptr) return;
    context_->data = nullptr;
    redisAsyncFree(std::exchange(context_, nullptr));
  }
  // hiredis is freeing the context itself.
  void forget() { context_ = nullptr; }

 private:
  redisAsyncContext* context_ = nullptr;
};

}  // namespace stickerd
