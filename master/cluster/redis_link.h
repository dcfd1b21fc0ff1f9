// RedisLink: this node's connection to the cluster's Redis (--redis), on
// the master's loop through hiredis's libuv adapter: no thread, and no
// blocking call (a host name is resolved on libuv's thread pool, since
// hiredis would block in getaddrinfo).
//
// It connects, authenticates and selects the database the URL names, then
// sends a heartbeat PING every second (LinkWatch). A closed connection, a
// refused command or an unanswered question loses the link, and it retries
// with capped exponential backoff (ReconnectBackoff) for as long as the
// daemon runs. The link is degraded from the start until its first
// handshake succeeds, so an unreachable Redis at start is a degraded start,
// not a failure (docs/CLUSTER.md). While degraded the node serves its own
// clients exactly as a single node does.
#pragma once

#include <netdb.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "master/cluster/link_watch.h"
#include "master/cluster/reconnect_backoff.h"
#include "master/cluster/redis_context.h"
#include "master/config/redis_url.h"
#include "master/uv/uv_handle.h"

namespace stickerd {

enum class RedisState { kConnected, kDegraded };

// What the log calls a connection, and what its loss means.
struct RedisLinkRole {
  std::string label = "redis";
  std::string while_down = "degraded: this node serves its own clients alone";
};

class RedisLink {
 public:
  // Called at start() with the first state, then on every change.
  using StateFn = std::function<void(RedisState)>;
  // Redis's answer to one command (an error reply included).
  using ReplyFn = std::function<void(const redisReply&)>;

  RedisLink(uv_loop_t* loop, RedisUrl url, StateFn on_change, RedisLinkRole role = RedisLinkRole());
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;
  ~RedisLink() { close(); }

  // Makes the first attempt; the link keeps itself up from then on.
  void start();
  // Lets go of the connection and every handle, for good (the daemon stops).
  void close();

  RedisState state() const { return state_; }

  // Sends one command (its words as they are: binary-safe) while the link
  // is connected; false, and nothing sent, otherwise. `on_reply` (may be
  // empty) runs with Redis's answer, and never if the connection goes
  // first: the state change to degraded tells the caller that instead.
  bool send(const std::vector<std::string>& words, ReplyFn on_reply = {});

 private:
  // Where the link is between start() and close().
  enum class Phase { kIdle, kWaiting, kResolving, kConnecting, kUp, kClosed };
  // The commands the link sends, told apart in their replies.
  enum class Command : std::uintptr_t { kAuth, kSelect, kPing };

  void attempt();
  void resolved(int status, addrinfo* addresses);
  void connect_to(const std::string& address);
  bool send_handshake(redisAsyncContext* context);
  void ping();
  void answered(Command command, const redisReply& reply);
  void tick();
  // The link is lost (or an attempt failed) for `why`: degraded, and the
  // next attempt after the backoff.
  void lost(const std::string& why);
  void abandon_resolve();
  void set_state(RedisState state);

  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* command);
  static void on_command_reply(redisAsyncContext* context, void* reply, void* callback);

  uv_loop_t* loop_;
  RedisUrl url_;
  StateFn on_change_;
  RedisLinkRole role_;
  RedisState state_ = RedisState::kDegraded;
  Phase phase_ = Phase::kIdle;
  bool ever_connected_ = false;
  std::string last_failure_;  // logged once until it changes or the link connects
  LinkWatch watch_;
  ReconnectBackoff backoff_;
  RedisContext context_;
  uv_getaddrinfo_t* resolve_ = nullptr;  // in flight; freed by its callback
  UvHandle<uv_timer_t> tick_;
  UvHandle<uv_timer_t> retry_;
};

}  // namespace stickerd
