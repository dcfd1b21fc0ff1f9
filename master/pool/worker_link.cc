// WorkerLink: spawning one worker, what its frames mean, and its exit.
#include "master/pool/worker_link.h"

#include <csignal>
#include <vector>

#include <fmt/format.h>

#include "common/log.h"

namespace stickerd {
namespace {

// The worker's end of the socketpair; its --fd argument says the same.
constexpr int kWorkerFd = 3;

}  // namespace

WorkerLink::WorkerLink(unsigned slot, std::size_t max_frame_bytes, WorkerLinkEvents& events)
    : slot_(slot), events_(events), pipe_(UvHandle<uv_pipe_t>(), max_frame_bytes, *this) {}

Result<std::unique_ptr<WorkerLink>> WorkerLink::spawn(uv_loop_t* loop,
                                                      const WorkerSpawnOptions& options,
                                                      WorkerLinkEvents& events) {
  std::unique_ptr<WorkerLink> link(new WorkerLink(options.slot, options.max_frame_bytes, events));
  // libuv never touches a handle's data, so the owner FramedPipe set stays.
  if (const int rc =
          link->pipe_.handle().init([&](uv_pipe_t* p) { return uv_pipe_init(loop, p, 0); });
      rc != 0) {
    return make_error(v1::INTERNAL,
                      fmt::format("cannot create the worker pipe: {}", uv_strerror(rc)));
  }

  std::vector<std::string> args = {options.binary,
                                   "--styles",
                                   options.styles_dir,
                                   "--slot",
                                   std::to_string(options.slot),
                                   "--fd",
                                   std::to_string(kWorkerFd)};
  if (options.enable_test_styles) args.emplace_back("--enable-test-styles");
  args.emplace_back("--sandbox");
  args.emplace_back(options.sandbox ? "on" : "off");
  if (options.max_rss_mb > 0) {
    args.emplace_back("--max-rss-mb");
    args.emplace_back(std::to_string(options.max_rss_mb));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // stdin is not the worker's business; stdout and stderr go where ours go
  // (journald), so its log lines sit beside the master's.
  std::array<uv_stdio_container_t, kWorkerFd + 1> stdio{};
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = 1;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  stdio[3].flags =
      static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE | UV_WRITABLE_PIPE);
  stdio[3].data.stream = link->pipe_.handle().stream();

  uv_process_options_t opts{};
  opts.file = options.binary.c_str();
  opts.args = argv.data();
  opts.exit_cb = on_exit;
  opts.stdio_count = static_cast<int>(stdio.size());
  opts.stdio = stdio.data();

  // uv_spawn registers the handle even when it fails, so it must be closed.
  const int rc = link->process_.init([&](uv_process_t* p) { return uv_spawn(loop, p, &opts); },
                                     /*close_on_failure=*/true);
  if (rc != 0) {
    link->exited_ = true;  // nothing to kill
    return make_error(v1::INTERNAL,
                      fmt::format("cannot start {}: {}", options.binary, uv_strerror(rc)));
  }
  link->process_.set_owner(link.get());
  link->pid_ = link->process_.get()->pid;

  if (const int read_rc = link->pipe_.start_reading(); read_rc != 0) {
    log::error("worker slot {}: cannot read its pipe: {}", options.slot, uv_strerror(read_rc));
    link->kill(SIGKILL);
    link->hang_up();  // no EOF will come: only the exit is left to wait for
  }
  return link;
}

WorkerLink::~WorkerLink() {
  if (!exited_) kill(SIGKILL);
}

void WorkerLink::kill(int signum) {
  if (exited_) return;
  if (const int rc = uv_process_kill(process_.get(), signum); rc != 0 && rc != UV_ESRCH) {
    log::warning("worker slot {} (pid {}): cannot send signal {}: {}", slot_, pid_, signum,
                 uv_strerror(rc));
  }
}

void WorkerLink::on_read_end(int status) {
  if (status != UV_EOF) {
    log::warning("worker slot {} (pid {}): read error: {}", slot_, pid_, uv_strerror(status));
  }
  hang_up();  // last statement: it may destroy the link
}

void WorkerLink::on_frame_too_large() {
  log::error("worker slot {} (pid {}): sent a frame of {} bytes, over the limit; killing it", slot_,
             pid_, pipe_.decoder().announced_length());
  kill_and_hang_up();  // last statement: it may destroy the link
}

bool WorkerLink::on_frame(std::string payload) {
  v1::FromWorker message;
  if (!message.ParseFromString(payload)) {
    log::error("worker slot {} (pid {}): sent a frame that is not a FromWorker; killing it", slot_,
               pid_);
    kill_and_hang_up();
    return false;  // the link may be gone
  }
  events_.on_worker_message(*this, std::move(message));
  return !hung_up_;
}

void WorkerLink::kill_and_hang_up() {
  kill(SIGKILL);
  hang_up();
}

void WorkerLink::hang_up() {
  if (hung_up_) return;
  hung_up_ = true;
  pipe_.drop_queued();
  pipe_.stop_reading();
  maybe_report_exit();  // last statement: it may destroy the link
}

void WorkerLink::maybe_report_exit() {
  // Exit and EOF arrive in either order; report once both are in.
  if (!exited_ || !hung_up_ || exit_reported_) return;
  exit_reported_ = true;
  pipe_.close();
  process_.close();
  events_.on_worker_exit(*this, exit_status_, term_signal_);
}

void WorkerLink::send(const v1::ToWorker& message) {
  if (hung_up_) return;
  pipe_.append(message);
  pipe_.flush();
}

void WorkerLink::on_write_done(int status) {
  if (status == 0) return;
  log::warning("worker slot {} (pid {}): write failed: {}; killing it", slot_, pid_,
               uv_strerror(status));
  kill(SIGKILL);
}

void WorkerLink::on_exit(uv_process_t* process, std::int64_t exit_status, int term_signal) {
  auto* self = static_cast<WorkerLink*>(process->data);
  if (self == nullptr) return;
  self->exited_ = true;
  self->exit_status_ = exit_status;
  self->term_signal_ = term_signal;
  self->maybe_report_exit();  // last statement: it may destroy the link
}

}  // namespace stickerd
