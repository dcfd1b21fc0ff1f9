// StreamWaiter: XREAD BLOCK after XREAD BLOCK on a connection of its own.
#include "master/cluster/stream_waiter.h"

#include <hiredis/hiredis.h>

#include <string_view>

#include "common/log.h"

namespace stickerd {

StreamWaiter::StreamWaiter(uv_loop_t* loop, RedisUrl url, CursorsFn cursors, AnswerFn on_answer,
                           RedisLink::StateFn on_change)
    : cursors_(std::move(cursors)),
      on_answer_(std::move(on_answer)),
      on_change_(std::move(on_change)),
      loop_(loop),
      link_(
          loop, std::move(url), [this](RedisState s) { link_changed(s); },
          RedisLinkRole{"redis (blocking reads)", "the node polls Redis meanwhile"}) {}

void StreamWaiter::start() {
  retry_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  retry_.set_owner(this);
  uv_unref(retry_.base());
  link_.start();
}

void StreamWaiter::close() {
  retry_.close();
  link_.close();
}

void StreamWaiter::link_changed(RedisState state) {
  ++generation_;  // a read out on the connection that went is never answered
  uv_timer_stop(retry_.get());
  if (state == RedisState::kConnected) read();
  set_up(state == RedisState::kConnected);
}

void StreamWaiter::read() {
  const auto cursors = cursors_();
  std::vector<std::string> command = {
      "XREAD", "COUNT", std::to_string(kCount), "BLOCK", std::to_string(kBlockMs), "STREAMS"};
  for (const auto& [stream, id] : cursors) command.push_back(stream);
  for (const auto& [stream, id] : cursors) command.push_back(id);
  const std::uint64_t generation = generation_;
  // Not sent only when the connection has just gone: link_changed follows.
  link_.send(command, [this, generation](const redisReply& reply) {
    if (generation == generation_) answered(reply);
  });
}

void StreamWaiter::answered(const redisReply& reply) {
  if (reply.type == REDIS_REPLY_ERROR) {
    log::warning("cluster: a blocking read was refused: {}; polling, and trying again in {} ms",
                 std::string_view(reply.str, reply.len), kBlockMs);
    set_up(false);
    uv_timer_start(
        retry_.get(),
        [](uv_timer_t* t) {
          if (auto* self = static_cast<StreamWaiter*>(t->data)) self->read();
        },
        kBlockMs, 0);
    return;
  }
  set_up(true);
  on_answer_(reply);
  read();
}

void StreamWaiter::set_up(bool up) {
  if (up == up_) return;
  up_ = up;
  on_change_(up ? RedisState::kConnected : RedisState::kDegraded);
}

}  // namespace stickerd
