// WorkerLink: one running stickerd-worker process and the socketpair to it.
// Spawns the process with the pair as its fd 3, decodes FromWorker frames
// (split at any byte), writes ToWorker frames from a queue, and reports the
// process's exit. It never calls back from inside its own public methods.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/frame.h"
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
};

class WorkerLink {
 public:
  static Result<std::unique_ptr<WorkerLink>> spawn(uv_loop_t* loop, const WorkerSpawnOptions& options,
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

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_exit(uv_process_t* process, std::int64_t exit_status, int term_signal);

  void handle_bytes(const char* data, std::size_t size);
  void flush();
  void hang_up();
  void maybe_report_exit();

  unsigned slot_;
  int pid_ = 0;
  WorkerLinkEvents& events_;
  UvHandle<uv_process_t> process_;
  UvHandle<uv_pipe_t> pipe_;
  FrameDecoder decoder_;
  std::string pending_;
  bool write_in_flight_ = false;
  bool hung_up_ = false;
  bool exited_ = false;
  bool exit_reported_ = false;
  std::int64_t exit_status_ = 0;
  int term_signal_ = 0;
  std::array<char, 64 * 1024> read_buffer_{};
};

}  // namespace stickerd
