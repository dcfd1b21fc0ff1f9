// WorkerLink: one running stickerd-worker process and the socketpair to it.
// Spawns the process with the pair as its fd 3, reads FromWorker frames and
// writes ToWorker frames through a FramedPipe, and reports the process's
// exit. It never calls back from inside its own public methods.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/frame.h"
#include "master/uv/framed_pipe.h"
#include "master/uv/uv_handle.h"
#include "worker.pb.h"

namespace stickerd {

class WorkerLink;

class WorkerLinkEvents {
 public:
  virtual void on_worker_message(WorkerLink& link, v1::FromWorker message) = 0;
  // The process is gone and reaped, and everything it wrote before dying has
  // been delivered (so a result sent just before exit is not lost). The
  // callee may destroy `link`.
  virtual void on_worker_exit(WorkerLink& link, std::int64_t exit_status, int term_signal) = 0;

 protected:
  ~WorkerLinkEvents() = default;
};

struct WorkerSpawnOptions {
  std::string binary;
  std::string styles_dir;
  unsigned slot = 0;
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  bool enable_test_styles = false;  // passes --enable-test-styles
  bool sandbox = true;              // passes --sandbox on|off
  std::uint64_t max_rss_mb = 0;     // passes --max-rss-mb (sizes its RLIMIT_AS)
};

class WorkerLink final : private FramedPipeEvents {
 public:
  static Result<std::unique_ptr<WorkerLink>> spawn(uv_loop_t* loop,
                                                   const WorkerSpawnOptions& options,
                                                   WorkerLinkEvents& events);
  WorkerLink(const WorkerLink&) = delete;
  WorkerLink& operator=(const WorkerLink&) = delete;
  // A process that has not exited yet is killed (SIGKILL): no child outlives
  // its owner unsupervised.
  ~WorkerLink();

  // Queues a frame. A worker that cannot be written to is killed; its exit
  // callback then reports the loss.
  void send(const v1::ToWorker& message);
  void kill(int signum);

  unsigned slot() const { return slot_; }
  int pid() const { return pid_; }

 private:
  WorkerLink(unsigned slot, std::size_t max_frame_bytes, WorkerLinkEvents& events);

  static void on_exit(uv_process_t* process, std::int64_t exit_status, int term_signal);

  bool on_frame(std::string payload) override;
  void on_frame_too_large() override;
  void on_read_end(int status) override;
  void on_write_done(int status) override;
  // Kills the worker and stops listening to it: it broke the protocol or
  // cannot be written to.
  void kill_and_hang_up();
  void hang_up();
  void maybe_report_exit();

  unsigned slot_;
  int pid_ = 0;
  WorkerLinkEvents& events_;
  UvHandle<uv_process_t> process_;
  FramedPipe pipe_;
  bool hung_up_ = false;
  bool exited_ = false;
  bool exit_reported_ = false;
  std::int64_t exit_status_ = 0;
  int term_signal_ = 0;
};

}  // namespace stickerd
