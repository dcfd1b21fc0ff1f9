// RollingRestart: drives a rolling restart (stickerctl restart-workers, and
// the one SIGHUP starts after a reload) on each idle worker
// (Supervisor::rolling_step), and when it is done answers every control
// request waiting for it and tells systemd a reload is over.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "master/ops/operations.h"
#include "master/pool/supervisor.h"
#include "master/requests/reply_sink.h"
#include "master/service/intake.h"

namespace stickerd {

class RollingRestart {
 public:
  RollingRestart(Supervisor& supervisor, Operations& ops, ReplySink& sink, const Intake& intake)
      : supervisor_(supervisor), ops_(ops), sink_(sink), intake_(intake) {}

  // restart-workers request `id` of a connection: answered when the last
  // worker is replaced. A request during a restart adds one more round.
  void request(std::uint64_t connection_id, std::uint64_t id);
  // SIGHUP's restart after a reload: READY=1 goes out when it is done.
  void start_for_reload();
  // A worker became idle (or the pool changed): the next step, if any.
  void advance();
  // The workers stopped before it finished: its callers get SHUTTING_DOWN
  // rather than a connection closed without a reply.
  void refuse_waiters();
  // Whether request `id` of the connection (any, without an id) waits here.
  bool waiting(std::uint64_t connection_id, std::optional<std::uint64_t> id) const;

 private:
  Supervisor& supervisor_;
  Operations& ops_;
  ReplySink& sink_;
  const Intake& intake_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> waiters_;  // connection, request id
  bool for_reload_ = false;  // a SIGHUP's rolling restart is running
};

}  // namespace stickerd
