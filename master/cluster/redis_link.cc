// RedisLink: the connection's life: resolve, connect, handshake, heartbeat,
// loss and the next attempt.
#include "master/cluster/redis_link.h"

#include <hiredis/adapters/libuv.h>

#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "common/log.h"
#include "master/uv/repeating_timer.h"

namespace stickerd {
namespace {

// LinkWatch's deadlines are seconds: a quarter second is fine enough.
constexpr std::uint64_t kTickMs = 250;

void* tag(auto command) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(command)); }

const char* command_name(std::uintptr_t command) {
  constexpr const char* kNames[] = {"AUTH", "SELECT", "PING"};
  return kNames[command];
}

// A resolved address as text, for hiredis (which then needs no lookup).
std::string address_text(const addrinfo& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ai_family == AF_INET6) {
    uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(address.ai_addr), text, sizeof text);
  } else {
    uv_ip4_name(reinterpret_cast<const sockaddr_in*>(address.ai_addr), text, sizeof text);
  }
  return text;
}

// The socket's pending error (SO_ERROR), 0 if none.
int socket_error(int fd) {
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
  return error;
}

}  // namespace

RedisLink::RedisLink(uv_loop_t* loop, RedisUrl url, StateFn on_change, RedisLinkRole role)
    : loop_(loop), url_(std::move(url)), on_change_(std::move(on_change)), role_(std::move(role)) {}

void RedisLink::start() {
  log::info("{}: joining the cluster at {}", role_.label, describe(url_));
  on_change_(state_);
  start_repeating<RedisLink, &RedisLink::tick>(tick_, loop_, this, kTickMs);
  retry_.init([&](uv_timer_t* t) { return uv_timer_init(loop_, t); });
  retry_.set_owner(this);
  uv_unref(retry_.base());  // the connection, not its retry, keeps the loop alive
  attempt();
}

void RedisLink::close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  tick_.close();
  retry_.close();
  abandon_resolve();
  // What was sent last (the node registry's DEL) leaves now: freeing the
  // context drops its unwritten output.
  if (context_ && context_.get()->c.fd >= 0) redisAsyncHandleWrite(context_.get());
  context_.reset();
}

void RedisLink::attempt() {
  watch_.asked(uv_now(loop_));  // the whole attempt must answer in time
  if (url_.host.empty()) return connect_to(url_.path);
  phase_ = Phase::kResolving;
  resolve_ = new uv_getaddrinfo_t;
  resolve_->data = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const int rc = uv_getaddrinfo(
      loop_, resolve_,
      [](uv_getaddrinfo_t* request, int status, addrinfo* addresses) {
        std::unique_ptr<uv_getaddrinfo_t> owned(request);
        std::unique_ptr<addrinfo, decltype(&uv_freeaddrinfo)> list(addresses, uv_freeaddrinfo);
        if (auto* self = static_cast<RedisLink*>(request->data)) {
          self->resolve_ = nullptr;
          self->resolved(status, list.get());
        }
      },
      url_.host.c_str(), nullptr, &hints);
  if (rc != 0) {
    delete std::exchange(resolve_, nullptr);
    lost(fmt::format("cannot look up {}: {}", url_.host, uv_strerror(rc)));
  }
}

void RedisLink::resolved(int status, addrinfo* addresses) {
  if (status != 0 || addresses == nullptr) {
    return lost(fmt::format("cannot look up {}: {}", url_.host, uv_strerror(status)));
  }
  connect_to(address_text(*addresses));
}

void RedisLink::connect_to(const std::string& address) {
  RedisContext context(url_.host.empty() ? redisAsyncConnectUnix(address.c_str())
                                         : redisAsyncConnect(address.c_str(), url_.port));
  redisAsyncContext* c = context.get();
  if (c == nullptr) return lost("hiredis could not allocate a connection");
  if (c->err != 0) return lost(fmt::format("cannot connect: {}", c->errstr));
  if (redisLibuvAttach(c, loop_) != REDIS_OK)
    return lost("cannot watch the connection on the loop");
  c->data = this;
  redisAsyncSetConnectCallback(c, on_connect);
  redisAsyncSetDisconnectCallback(c, on_disconnect);
  // Pipelined: Redis answers in order, so the PING's answer says AUTH and
  // SELECT succeeded (a refusal loses the link before it).
  if (!send_handshake(c)) return lost("cannot queue the handshake");
  context_ = std::move(context);
  phase_ = Phase::kConnecting;
}

bool RedisLink::send_handshake(redisAsyncContext* c) {
  if (!url_.password.empty() &&
      redisAsyncCommand(c, on_reply, tag(Command::kAuth), "AUTH %b", url_.password.data(),
                        url_.password.size()) != REDIS_OK) {
    return false;
  }
  if (url_.db != 0 && redisAsyncCommand(c, on_reply, tag(Command::kSelect), "SELECT %s",
                                        std::to_string(url_.db).c_str()) != REDIS_OK) {
    return false;
  }
  return redisAsyncCommand(c, on_reply, tag(Command::kPing), "PING") == REDIS_OK;
}

bool RedisLink::send(const std::vector<std::string>& words, ReplyFn on_reply) {
  if (phase_ != Phase::kUp || !context_) return false;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& w : words) {
    argv.push_back(w.data());
    lengths.push_back(w.size());
  }
  // hiredis hands the callback back exactly once (with no reply when the
  // connection goes), and on_command_reply frees it then.
  auto callback = on_reply ? std::make_unique<ReplyFn>(std::move(on_reply)) : nullptr;
  if (redisAsyncCommandArgv(context_.get(), callback ? on_command_reply : nullptr, callback.get(),
                            static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    return false;
  }
  callback.release();  // owned by hiredis until on_command_reply
  return true;
}

void RedisLink::ping() {
  watch_.asked(uv_now(loop_));
  if (redisAsyncCommand(context_.get(), on_reply, tag(Command::kPing), "PING") != REDIS_OK)
    lost("cannot queue the heartbeat");
}

void RedisLink::answered(Command command, const redisReply& reply) {
  if (reply.type == REDIS_REPLY_ERROR) {
    return lost(fmt::format("{} refused: {}", command_name(static_cast<std::uintptr_t>(command)),
                            std::string_view(reply.str, reply.len)));
  }
  if (command != Command::kPing) return;  // the handshake's PING answers after it
  watch_.answered(uv_now(loop_));
  if (phase_ == Phase::kUp) return;
  phase_ = Phase::kUp;
  backoff_.reset();
  last_failure_.clear();
  log::info("{}: {} {}{}", role_.label, ever_connected_ ? "reconnected to" : "connected to",
            describe(url_), ever_connected_ ? ": cluster mode again" : "");
  ever_connected_ = true;
  set_state(RedisState::kConnected);
}

void RedisLink::tick() {
  if (phase_ != Phase::kResolving && phase_ != Phase::kConnecting && phase_ != Phase::kUp) return;
  // hiredis 0.14's libuv adapter ignores a poll error (POLLERR: a refused
  // connect, a reset), so hiredis would wait for nothing until the watch
  // runs out; the socket's own pending error tells at once.
  if (context_) {
    if (const int error = socket_error(context_.get()->c.fd); error != 0) {
      return lost(fmt::format("{}: {}",
                              phase_ == Phase::kUp ? "the connection failed" : "cannot connect",
                              std::strerror(error)));
    }
  }
  switch (watch_.tick(uv_now(loop_))) {
    case LinkWatch::Action::kLost:
      return lost(fmt::format("no answer within {} ms", LinkWatch::kLostAfterMs));
    case LinkWatch::Action::kPing:
      return ping();
    case LinkWatch::Action::kWait:
      return;
  }
}

void RedisLink::lost(const std::string& why) {
  if (phase_ == Phase::kClosed) return;
  const bool was_up = phase_ == Phase::kUp;
  abandon_resolve();
  context_.reset();
  phase_ = Phase::kWaiting;
  const std::uint64_t delay = backoff_.next_delay_ms();
  if (was_up) {
    log::warning("{}: lost {}: {}; {} and reconnects", role_.label, describe(url_), why,
                 role_.while_down);
  } else if (why != last_failure_) {
    log::warning("{}: cannot reach {}{}: {}; {}, next attempt in {} ms", role_.label,
                 describe(url_), ever_connected_ ? "" : " at start", why,
                 ever_connected_ ? "still down" : role_.while_down, delay);
  }
  last_failure_ = was_up ? std::string() : why;
  set_state(RedisState::kDegraded);
  uv_timer_start(
      retry_.get(),
      [](uv_timer_t* t) {
        if (auto* self = static_cast<RedisLink*>(t->data)) self->attempt();
      },
      delay, 0);
}

void RedisLink::abandon_resolve() {
  if (resolve_ == nullptr) return;
  resolve_->data = nullptr;  // its callback still runs, and frees it
  uv_cancel(reinterpret_cast<uv_req_t*>(std::exchange(resolve_, nullptr)));
}

void RedisLink::set_state(RedisState state) {
  if (state == state_) return;
  state_ = state;
  on_change_(state);
}

void RedisLink::on_connect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisLink*>(context->data);
  if (self == nullptr || status == REDIS_OK) return;  // OK: the handshake's answers follow
  const std::string why = fmt::format("cannot connect: {}", context->errstr);
  self->context_.forget();  // hiredis frees a context whose connect failed
  self->lost(why);
}

void RedisLink::on_disconnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisLink*>(context->data);
  if (self == nullptr) return;
  const std::string why = status == REDIS_OK || context->errstr[0] == '\0'
                              ? std::string("the connection closed")
                              : fmt::format("the connection closed: {}", context->errstr);
  self->context_.forget();  // hiredis frees it after this callback
  self->lost(why);
}

void RedisLink::on_reply(redisAsyncContext* context, void* reply, void* command) {
  auto* self = static_cast<RedisLink*>(context->data);
  // No reply: hiredis is freeing the context and flushing its callbacks.
  if (self == nullptr || reply == nullptr) return;
  self->answered(static_cast<Command>(reinterpret_cast<std::uintptr_t>(command)),
                 *static_cast<const redisReply*>(reply));
}

void RedisLink::on_command_reply(redisAsyncContext* context, void* reply, void* callback) {
  std::unique_ptr<ReplyFn> fn(static_cast<ReplyFn*>(callback));
  // No owner or no reply: the connection is going, and the state change
  // tells the caller.
  if (context->data == nullptr || reply == nullptr) return;
  (*fn)(*static_cast<const redisReply*>(reply));
}

}  // namespace stickerd
