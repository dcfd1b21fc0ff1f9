// UvHandle / UvLoop: RAII owners for libuv handles and the loop.
//
// libuv may still touch a handle after uv_close() until its close callback
// runs, so a handle's memory must outlive its owner object. UvHandle therefore
// allocates the handle on the heap and frees it only in close_cb; the owner
// can be destroyed at any time. Closing also clears handle->data, so callbacks
// that still arrive (a cancelled write's callback) can see the owner is gone.
#pragma once

#include <uv.h>

#include <memory>
#include <utility>

#include "common/log.h"

namespace stickerd {

template <typename T>
class UvHandle {
 public:
  UvHandle() : handle_(std::make_unique<T>()) {}
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;
  UvHandle(UvHandle&& other) noexcept
      : handle_(std::move(other.handle_)), initialized_(std::exchange(other.initialized_, false)) {}
  UvHandle& operator=(UvHandle&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = std::move(other.handle_);
      initialized_ = std::exchange(other.initialized_, false);
    }
    return *this;
  }
  ~UvHandle() { close(); }

  T* get() const { return handle_.get(); }
  uv_handle_t* base() const { return reinterpret_cast<uv_handle_t*>(handle_.get()); }
  uv_stream_t* stream() const { return reinterpret_cast<uv_stream_t*>(handle_.get()); }
  explicit operator bool() const { return handle_ != nullptr; }

  // Runs a uv_*_init-like call on the handle. libuv registers the handle with
  // the loop even when some inits (uv_spawn) fail, so the caller says whether
  // a failed init still needs uv_close.
  template <typename Init>
  int init(Init&& init_fn, bool close_on_failure = false) {
    const int rc = std::forward<Init>(init_fn)(handle_.get());
    initialized_ = rc == 0 || close_on_failure;
    return rc;
  }

  // Sets the back pointer that callbacks use to find the owner.
  void set_owner(void* owner) { handle_->data = owner; }

  // Starts uv_close; the memory goes in close_cb. Idempotent.
  void close() {
    if (!handle_) return;
    if (!initialized_) {
      handle_.reset();
      return;
    }
    uv_handle_t* h = base();
    h->data = nullptr;
    handle_.release();  // now owned by the loop until close_cb
    uv_close(h, [](uv_handle_t* closed) { std::unique_ptr<T>(reinterpret_cast<T*>(closed)); });
  }

 private:
  std::unique_ptr<T> handle_;
  bool initialized_ = false;
};

// Owns the libuv loop. Destruction runs the loop until every pending close
// callback has fired, then closes it; a handle left open is a bug, logged.
class UvLoop {
 public:
  UvLoop() { uv_loop_init(&loop_); }
  UvLoop(const UvLoop&) = delete;
  UvLoop& operator=(const UvLoop&) = delete;
  ~UvLoop() {
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (const int rc = uv_loop_close(&loop_); rc != 0) {
      log::error("event loop closed with handles still open: {}", uv_strerror(rc));
    }
  }

  uv_loop_t* get() { return &loop_; }

 private:
  uv_loop_t loop_{};
};

}  // namespace stickerd
