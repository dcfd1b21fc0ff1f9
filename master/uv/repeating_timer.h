// start_repeating(): runs `Method` of `owner` every `period_ms` on a timer
// that does not keep the loop alive on its own. The timer is a UvHandle the
// owner holds, so it closes with its owner and a late tick finds no owner.
#pragma once

#include <uv.h>

#include <cstdint>

#include "master/uv/uv_handle.h"

namespace stickerd {

template <typename Owner, void (Owner::*Method)()>
void start_repeating(UvHandle<uv_timer_t>& timer, uv_loop_t* loop, Owner* owner,
                     std::uint64_t period_ms) {
  timer.init([&](uv_timer_t* t) { return uv_timer_init(loop, t); });
  timer.set_owner(owner);
  uv_timer_start(
      timer.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<Owner*>(t->data)) (self->*Method)();
      },
      period_ms, period_ms);
  uv_unref(timer.base());  // it must not keep the loop alive on its own
}

}  // namespace stickerd
