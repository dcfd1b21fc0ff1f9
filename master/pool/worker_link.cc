// WorkerLink: spawning one worker and speaking frames with it over fd 3.
#include "master/pool/worker_link.h"

#include <csignal>
#include <vector>

#include <fmt/format.h>

#include "common/log.h"

namespace stickerd {
namespace {

// The worker's end of the socketpair; its --fd argument says the same.
constexpr int kWorkerFd = 3;

struct WriteOp {
  uv_write_t req{};
  std::string bytes;
};

}  // namespace

WorkerLink::WorkerLink(unsigned slot, std::size_t max_frame_bytes, WorkerLinkEvents& events)
    : slot_(slot), events_(events), decoder_(max_frame_bytes) {}

Result<std::unique_ptr<WorkerLink>> WorkerLink::spawn(uv_loop_t* loop,
                                                      const WorkerSpawnOptions& options,
                                                      WorkerLinkEvents& events) {
  std::unique_ptr<WorkerLink> link(new WorkerLink(options.slot, options.max_frame_bytes, events));
  if (const int rc = link->pipe_.init([&](uv_pipe_t* p) { return uv_pipe_init(loop, p, 0); });
      rc != 0) {
    return make_error(v1::INTERNAL, fmt::format("cannot create the worker pipe: {}", uv_strerror(rc)));
  }
  link->pipe_.set_owner(link.get());

  std::vector<std::string> args = {options.binary,     "--styles", options.styles_dir, "--slot",
                                   std::to_string(options.slot), "--fd", std::to_string(kWorkerFd)};
  if (options.enable_test_styles) args.emplace_back("--enable-test-styles");
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
  stdio[3].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE | UV_WRITABLE_PIPE);
  stdio[3].data.stream = link->pipe_.stream();

  uv_process_options_t opts{};
  opts.file = options.binary.c_str();
  opts.args = argv.data();
  opts.exit_cb = on_exit;
  opts.stdio_count = static_cast<int>(stdio.size());
  opts.stdio = stdio.data();

  // uv_spawn registers the handle even when it fails, so it must be closed.
  const int rc = link->process_.init(
      [&](uv_process_t* p) { return uv_spawn(loop, p, &opts); }, /*close_on_failure=*/true);
  if (rc != 0) {
    link->exited_ = true;  // nothing to kill
    return make_error(v1::INTERNAL,
                      fmt::format("cannot start {}: {}", options.binary, uv_strerror(rc)));
  }
  link->process_.set_owner(link.get());
  link->pid_ = link->process_.get()->pid;

  if (const int read_rc = uv_read_start(link->pipe_.stream(), on_alloc, on_read); read_rc != 0) {
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

void WorkerLink::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<WorkerLink*>(handle->data);
  *buf = uv_buf_init(self->read_buffer_.data(), static_cast<unsigned>(self->read_buffer_.size()));
}

void WorkerLink::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<WorkerLink*>(stream->data);
  if (self == nullptr) return;
  if (nread > 0) {
    self->handle_bytes(buf->base, static_cast<std::size_t>(nread));
  } else if (nread < 0) {
    if (nread != UV_EOF) {
      log::warning("worker slot {} (pid {}): read error: {}", self->slot_, self->pid_,
                   uv_strerror(static_cast<int>(nread)));
    }
    self->hang_up();
  }
}

void WorkerLink::handle_bytes(const char* data, std::size_t size) {
  decoder_.feed(std::string_view(data, size));
  std::string payload;
  while (!hung_up_) {
    switch (decoder_.next(payload)) {
      case FrameDecoder::Status::kNeedMore:
        return;
      case FrameDecoder::Status::kTooLarge:
        log::error("worker slot {} (pid {}): sent a frame of {} bytes, over the limit; killing it",
                   slot_, pid_, decoder_.announced_length());
        kill(SIGKILL);
        hang_up();
        return;
      case FrameDecoder::Status::kFrame: {
        v1::FromWorker message;
        if (!message.ParseFromString(payload)) {
          log::error("worker slot {} (pid {}): sent a frame that is not a FromWorker; killing it",
                     slot_, pid_);
          kill(SIGKILL);
          hang_up();
          return;
        }
        events_.on_worker_message(*this, std::move(message));
        break;
      }
    }
  }
}

void WorkerLink::hang_up() {
  if (hung_up_) return;
  hung_up_ = true;
  pending_.clear();
  uv_read_stop(pipe_.stream());
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
  append_frame(message, pending_);
  if (!write_in_flight_) flush();
}

void WorkerLink::flush() {
  auto op = std::make_unique<WriteOp>();
  op->bytes.swap(pending_);
  uv_buf_t buf = uv_buf_init(op->bytes.data(), static_cast<unsigned>(op->bytes.size()));
  if (const int rc = uv_write(&op->req, pipe_.stream(), &buf, 1, on_write); rc != 0) {
    log::error("worker slot {} (pid {}): write failed: {}; killing it", slot_, pid_, uv_strerror(rc));
    kill(SIGKILL);
    return;
  }
  write_in_flight_ = true;
  op.release();  // owned by libuv until on_write
}

void WorkerLink::on_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteOp> op(reinterpret_cast<WriteOp*>(req));
  auto* self = static_cast<WorkerLink*>(req->handle->data);
  if (self == nullptr) return;
  self->write_in_flight_ = false;
  if (status != 0) {
    log::warning("worker slot {} (pid {}): write failed: {}; killing it", self->slot_, self->pid_,
                 uv_strerror(status));
    self->kill(SIGKILL);
  } else if (!self->pending_.empty() && !self->hung_up_) {
    self->flush();
  }
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
