// ControlService: the control socket and its requests (see control_service.h).
#include "master/service/control_service.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/log.h"
#include "common/process_memory.h"
#include "common/socket_path.h"
#include "master/requests/error_reply.h"
#include "master/service/answer.h"

namespace stickerd {
namespace {

// Above this a scale request is a typo, not a plan (the --workers bound).
constexpr unsigned kMaxScale = 1024;

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
  const double started =
      static_cast<double>(start_ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return boot_uptime > started ? boot_uptime - started : 0;
}

}  // namespace

std::optional<Error> ControlService::start(std::optional<int> inherited_fd) {
  const Config& config = p_.config;
  Listener& listener = p_.connections.control_listener();
  if (!config.control_group.empty()) {
    const group* g = ::getgrnam(config.control_group.c_str());
    if (g == nullptr) {
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("--control-group: no group named '{}'", config.control_group));
    }
    gid_ = g->gr_gid;
  }
  if (inherited_fd) {  // systemd's stickerd-control.socket: its mode and owner are the unit's
    if (auto e = listener.adopt(*inherited_fd, "inherited control socket")) return e;
    log::info("control socket: the inherited one (fd {})", *inherited_fd);
    return std::nullopt;
  }
  const std::string path =
      config.control_socket.empty() ? default_control_socket() : config.control_socket;
  if (path == "none") return std::nullopt;
  const mode_t mode = gid_ ? 0660 : 0600;
  // The node is created with the final mode, never briefly wider: the umask
  // is process-wide, but no other thread exists yet.
  const mode_t old_umask = ::umask(0777 & ~mode);
  auto error = listener.start(path);
  ::umask(old_umask);
  if (error) return error;
  if (gid_ && ::chown(path.c_str(), static_cast<uid_t>(-1), *gid_) != 0) {
    return make_error(v1::INTERNAL, fmt::format("control socket {}: cannot give it to group {}: {}",
                                                path, config.control_group, std::strerror(errno)));
  }
  log::info("control socket on {} (mode {:o})", path, mode);
  return std::nullopt;
}

void ControlService::accept(UvHandle<uv_pipe_t> pipe) {
  if (p_.state != RunState::kRunning) return;
  uv_os_fd_t fd = -1;
  std::optional<PeerCredentials> peer;
  if (uv_fileno(pipe.base(), &fd) == 0) peer = peer_credentials(fd);
  const bool allowed = peer && control_allowed(*peer, ::geteuid(), gid_);
  if (!allowed) {
    log::warning("control connection {} from uid {} (pid {}): control requests will be refused",
                 p_.connections.next_id(), peer ? static_cast<long>(peer->uid) : -1L,
                 peer ? static_cast<long>(peer->pid) : -1L);
  }
  if (auto id = p_.connections.accept(std::move(pipe), allowed)) access_.admit(*id, allowed);
}

void ControlService::handle(Connection& connection, const v1::Request& request) {
  const std::uint64_t id = request.id();
  if (!access_.allowed(connection.id())) {
    answer(p_.metrics, connection, id,
           error_reply(v1::PERMISSION_DENIED,
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
    case v1::Request::kScale:
      if (!scale(connection, id, request.scale(), done)) return;
      break;
    case v1::Request::kDrain:
      if (!drain(connection, id, request.drain(), reply)) return;
      break;
    case v1::Request::kResume:
      p_.intake.resume_intake();
      log::info("resumed: accepting render work again");
      done.set_message("accepting render requests again");
      break;
    case v1::Request::kRestartWorkers:
      if (refuse_unless_running(connection, id)) return;
      // Answered when the last worker is replaced (RollingRestart::advance).
      p_.rolling.request(connection.id(), id);
      return;
    case v1::Request::kReload:
      if (!reload(connection, id, done)) return;
      break;
    case v1::Request::kCacheTop:
      fill_cache_top(request.cache_top(), *reply.mutable_cache_top());
      break;
    case v1::Request::kCluster:
      return cluster(connection, id);
    default:
      return;  // the server routes only control kinds here
  }
  if (reply.has_control()) {
    done.set_workers(p_.supervisor.counts().total);
    done.set_draining(draining());
  }
  answer(p_.metrics, connection, id, std::move(reply));
}

bool ControlService::refuse_unless_running(Connection& connection, std::uint64_t id) {
  if (p_.state == RunState::kRunning) return false;
  answer(p_.metrics, connection, id, error_reply(v1::SHUTTING_DOWN, "stickerd is shutting down"));
  return true;
}

bool ControlService::scale(Connection& connection, std::uint64_t id, const v1::ScaleRequest& scale,
                           v1::ControlDone& done) {
  const unsigned n = scale.workers();
  if (n == 0 || n > kMaxScale) {
    answer(p_.metrics, connection, id,
           error_reply(v1::INVALID_ARGUMENT,
                       fmt::format("scale: {} workers is not in 1..{}", n, kMaxScale)));
    return false;
  }
  if (refuse_unless_running(connection, id)) return false;
  const unsigned before = p_.supervisor.counts().total;
  p_.supervisor.resize(n);
  p_.dispatcher.dispatch();
  done.set_message(n >= before ? fmt::format("scaled from {} to {} workers", before, n)
                               : fmt::format("scaling from {} to {} workers: busy workers "
                                             "leave after their current task",
                                             before, n));
  return true;
}

// `drain --exit` is the SIGTERM drain (Lifecycle); plain `drain` is the
// control pause (Intake::pause_intake): new render work is refused until
// `resume`, and nothing exits.
bool ControlService::drain(Connection& connection, std::uint64_t id, const v1::DrainRequest& drain,
                           v1::Reply& reply) {
  v1::ControlDone& done = *reply.mutable_control();
  if (drain.exit()) {
    // Answered first: the reply must leave before the connections close.
    done.set_message(
        fmt::format("shutting down: new requests get SHUTTING_DOWN; {} queued and {} "
                    "running tasks have {} ms to finish, then stickerd exits",
                    p_.queue.size(), p_.supervisor.counts().busy, p_.config.drain_grace_ms));
    done.set_workers(p_.supervisor.counts().total);
    done.set_draining(true);
    answer(p_.metrics, connection, id, std::move(reply));
    if (p_.state == RunState::kRunning) p_.lifecycle.begin_shutdown("drain --exit requested");
    return false;
  }
  p_.intake.pause_intake();
  log::info("drain requested: new render work gets SHUTTING_DOWN; {} queued tasks finish",
            p_.queue.size());
  done.set_message(
      fmt::format("draining: new render requests get SHUTTING_DOWN; {} queued "
                  "and {} running tasks finish",
                  p_.queue.size(), p_.supervisor.counts().busy));
  return true;
}

bool ControlService::reload(Connection& connection, std::uint64_t id, v1::ControlDone& done) {
  auto reloaded = p_.reloader.reload_all();
  if (!reloaded) {
    answer(p_.metrics, connection, id,
           error_reply(v1::INVALID_ARGUMENT,
                       fmt::format("reload failed: {}", reloaded.error().message)));
    return false;
  }
  done.set_message(*reloaded);
  return true;
}

void ControlService::fill_cache_top(const v1::CacheTopRequest& request, v1::CacheTop& top) const {
  constexpr std::uint32_t kDefaultLimit = 20;
  const std::uint32_t limit = request.limit() == 0 ? kDefaultLimit : request.limit();
  for (const PopularText& p : p_.popularity.top(limit)) {
    v1::TopText* t = top.add_texts();
    t->set_text(p.text);
    t->set_count(p.count);
  }
}

void ControlService::cluster(Connection& connection, std::uint64_t id) {
  if (!p_.registry) {
    answer(p_.metrics, connection, id,
           error_reply(v1::INVALID_ARGUMENT,
                       "not in cluster mode: this node runs without --redis, alone"));
    return;
  }
  // Answered later, through the connections: the connection may be gone by then.
  p_.registry->ask([this, connection_id = connection.id(), id](Result<v1::ClusterReport> report) {
    v1::Reply reply;
    reply.set_id(id);
    if (report) {
      *reply.mutable_cluster() = std::move(*report);
    } else {
      p_.metrics.rejected(report.error().code);
      reply = error_reply(report.error().code, report.error().message);
      reply.set_id(id);
    }
    p_.connections.send(connection_id, reply);
    p_.connections.final_reply_sent(connection_id);
  });
}

void ControlService::fill_workers(v1::WorkerList& list) const {
  list.set_configured(p_.supervisor.counts().total);
  list.set_draining(draining());
  for (const WorkerView& v : p_.supervisor.workers()) {
    v1::WorkerInfo* w = list.add_workers();
    w->set_slot(v.slot);
    w->set_pid(v.pid);
    w->set_state(v.state);
    w->set_tasks_done(v.tasks_done);
    w->set_last_exit_reason(v.last_exit_reason);
    w->set_last_exit_status(v.last_exit_status);
    w->set_sandbox(v.sandbox);
    if (v.pid > 0) {
      w->set_rss_bytes(resident_bytes(v.pid).value_or(0));
      w->set_uptime_seconds(uptime_seconds(v.pid));
    }
  }
}

}  // namespace stickerd
