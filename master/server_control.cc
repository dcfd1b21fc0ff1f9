// Server: the control socket and its requests (workers, scale, drain,
// resume, restart_workers, reload). Control kinds are honoured only on
// connections ControlAccess admitted; anywhere else they get
// PERMISSION_DENIED, so the client socket's wider mode never grants control.
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/log.h"
#include "common/socket_path.h"
#include "master/server.h"

namespace stickerd {
namespace {

// Above this a scale request is a typo, not a plan (the --workers bound).
constexpr unsigned kMaxScale = 1024;

v1::Reply control_error(ErrorCode code, std::string message) {
  v1::Reply reply;
  to_proto(make_error(code, std::move(message)), *reply.mutable_error());
  return reply;
}

std::uint64_t resident_bytes(int pid) {
  std::ifstream statm(fmt::format("/proc/{}/statm", pid));
  unsigned long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Seconds since `pid` started: /proc/<pid>/stat field 22 (start time in
// clock ticks after boot) against /proc/uptime.
double uptime_seconds(int pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(stat, line)) return 0;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long start_ticks = 0;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) start_ticks = std::stoull(field);
  }
  double boot_uptime = 0;
  std::ifstream("/proc/uptime") >> boot_uptime;
  const double started = static_cast<double>(start_ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return boot_uptime > started ? boot_uptime - started : 0;
}

}  // namespace

std::optional<Error> Server::start_control(std::optional<int> inherited_fd) {
  if (!config_.control_group.empty()) {
    const group* g = ::getgrnam(config_.control_group.c_str());
    if (g == nullptr) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("--control-group: no group named '{}'", config_.control_group));
    }
    control_gid_ = g->gr_gid;
  }
  if (inherited_fd) {  // systemd's stickerd-control.socket: its mode and owner are the unit's
    if (auto e = control_listener_.adopt(*inherited_fd, "inherited control socket")) return e;
    log::info("control socket: the inherited one (fd {})", *inherited_fd);
    return std::nullopt;
  }
  const std::string path = config_.control_socket.empty() ? default_control_socket() : config_.control_socket;
  if (path == "none") return std::nullopt;
  const mode_t mode = control_gid_ ? 0660 : 0600;
  // The node is created with the final mode, never briefly wider: the umask
  // is process-wide, but no other thread exists yet.
  const mode_t old_umask = ::umask(0777 & ~mode);
  auto error = control_listener_.start(path);
  ::umask(old_umask);
  if (error) return error;
  if (control_gid_ && ::chown(path.c_str(), static_cast<uid_t>(-1), *control_gid_) != 0) {
    return make_error(v1::INTERNAL, fmt::format("control socket {}: cannot give it to group {}: {}",
                                                path, config_.control_group, std::strerror(errno)));
  }
  log::info("control socket on {} (mode {:o})", path, mode);
  return std::nullopt;
}

void Server::accept_control(UvHandle<uv_pipe_t> pipe) {
  if (state_ != State::kRunning) return;
  uv_os_fd_t fd = -1;
  std::optional<PeerCredentials> peer;
  if (uv_fileno(pipe.base(), &fd) == 0) peer = peer_credentials(fd);
  const bool allowed = peer && control_allowed(*peer, ::geteuid(), control_gid_);
  const std::uint64_t id = next_connection_id_;
  if (!allowed) {
    log::warning("control connection {} from uid {} (pid {}): control requests will be refused",
                 id, peer ? static_cast<long>(peer->uid) : -1L, peer ? static_cast<long>(peer->pid) : -1L);
  }
  accept(std::move(pipe), allowed);
  if (connections_.contains(id)) control_.admit(id, allowed);
}

void Server::handle_control(Connection& connection, const v1::Request& request) {
  const std::uint64_t id = request.id();
  if (!control_.allowed(connection.id())) {
    answer(connection, id,
           control_error(v1::PERMISSION_DENIED,
                         "control requests are accepted only on the control socket, from root or "
                         "the daemon's own user (use stickerctl --control-socket as that user)"));
    return;
  }
  v1::Reply reply;
  v1::ControlDone& done = *reply.mutable_control();
  switch (request.kind_case()) {
    case v1::Request::kWorkers:
      fill_workers(*reply.mutable_workers());
      break;
    case v1::Request::kScale: {
      const unsigned n = request.scale().workers();
      if (n == 0 || n > kMaxScale) {
        answer(connection, id, control_error(v1::INVALID_ARGUMENT,
                                             fmt::format("scale: {} workers is not in 1..{}", n, kMaxScale)));
        return;
      }
      if (state_ != State::kRunning) {
        answer(connection, id, control_error(v1::SHUTTING_DOWN, "stickerd is shutting down"));
        return;
      }
      const unsigned before = supervisor_.counts().total;
      supervisor_.resize(n);
      dispatch();
      done.set_message(n >= before ? fmt::format("scaled from {} to {} workers", before, n)
                                   : fmt::format("scaling from {} to {} workers: busy workers "
                                                 "leave after their current task", before, n));
      break;
    }
    case v1::Request::kDrain:
      if (request.drain().exit()) {
        // Answered first: the reply must leave before the connections close.
        done.set_message(fmt::format("shutting down: new requests get SHUTTING_DOWN; {} queued and {} "
                                     "running tasks have {} ms to finish, then stickerd exits",
                                     queue_.size(), supervisor_.counts().busy, config_.drain_grace_ms));
        done.set_workers(supervisor_.counts().total);
        done.set_draining(true);
        answer(connection, id, std::move(reply));
        if (state_ == State::kRunning) begin_shutdown("drain --exit requested");
        return;
      }
      paused_ = true;
      log::info("drain requested: new render work gets SHUTTING_DOWN; {} queued tasks finish",
                queue_.size());
      done.set_message(fmt::format("draining: new render requests get SHUTTING_DOWN; {} queued "
                                   "and {} running tasks finish",
                                   queue_.size(), supervisor_.counts().busy));
      break;
    case v1::Request::kResume:
      paused_ = false;
      log::info("resumed: accepting render work again");
      done.set_message("accepting render requests again");
      break;
    case v1::Request::kRestartWorkers:
      if (state_ != State::kRunning) {
        answer(connection, id, control_error(v1::SHUTTING_DOWN, "stickerd is shutting down"));
        return;
      }
      // Answered when the last worker is replaced (advance_rolling_restart).
      rolling_waiters_.emplace_back(connection.id(), id);
      if (!supervisor_.rolling()) supervisor_.start_rolling_restart();
      advance_rolling_restart();
      return;
    case v1::Request::kReload: {
      auto reloaded = reload_all();
      if (!reloaded) {
        answer(connection, id, control_error(v1::INVALID_ARGUMENT,
                                             fmt::format("reload failed: {}", reloaded.error().message)));
        return;
      }
      done.set_message(*reloaded);
      break;
    }
    default:
      return;  // on_request routes only control kinds here
  }
  if (reply.has_control()) {
    done.set_workers(supervisor_.counts().total);
    done.set_draining(paused_ || state_ != State::kRunning);
  }
  answer(connection, id, std::move(reply));
}

void Server::advance_rolling_restart() {
  if (supervisor_.rolling() && !supervisor_.rolling_step()) return;
  if (reload_restarting_) {
    reload_restarting_ = false;
    log::info("reload done: every worker was replaced and runs the reloaded styles");
    ops_.reload_finished();
  }
  if (rolling_waiters_.empty()) return;
  v1::Reply reply;
  reply.mutable_control()->set_message(
      fmt::format("restarted every worker, one at a time ({} workers)", supervisor_.counts().total));
  reply.mutable_control()->set_workers(supervisor_.counts().total);
  reply.mutable_control()->set_draining(paused_);
  const auto waiters = std::move(rolling_waiters_);
  rolling_waiters_.clear();
  for (const auto& [connection_id, request_id] : waiters) {
    reply.set_id(request_id);
    send_to(connection_id, reply);
    close_if_retired_and_done(connection_id);
  }
}

void Server::refuse_rolling_waiters() {
  if (rolling_waiters_.empty()) return;
  v1::Reply reply = control_error(v1::SHUTTING_DOWN,
                                  "stickerd shut down before the rolling restart replaced every "
                                  "worker");
  for (const auto& [connection_id, request_id] : rolling_waiters_) {
    reply.set_id(request_id);
    send_to(connection_id, reply);
  }
  rolling_waiters_.clear();
}

void Server::fill_workers(v1::WorkerList& list) const {
  list.set_configured(supervisor_.counts().total);
  list.set_draining(paused_ || state_ != State::kRunning);
  for (const WorkerView& v : supervisor_.workers()) {
    v1::WorkerInfo* w = list.add_workers();
    w->set_slot(v.slot);
    w->set_pid(v.pid);
    w->set_state(v.state);
    w->set_tasks_done(v.tasks_done);
    w->set_last_exit_reason(v.last_exit_reason);
    w->set_last_exit_status(v.last_exit_status);
    if (v.pid > 0) {
      w->set_rss_bytes(resident_bytes(v.pid));
      w->set_uptime_seconds(uptime_seconds(v.pid));
    }
  }
}

}  // namespace stickerd
