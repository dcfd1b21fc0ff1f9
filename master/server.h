// Server: wires the daemon together. Accepts connections, admits requests,
// queues and dispatches tasks, routes results back, answers stats, styles
// and cancel, and runs the graceful shutdown.
//
// The central promise: every accepted request gets exactly one final reply.
// RequestBook is the one owner of a pending request; finish() is the one
// function that sends a final reply and forgets the request. A request is
// forgotten without a reply only when its client is gone.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/error.h"
#include "common/style_catalogue.h"
#include "master/admission.h"
#include "master/config.h"
#include "master/connection.h"
#include "master/listener.h"
#include "master/request_book.h"
#include "master/signals.h"
#include "master/supervisor.h"
#include "master/task_queue.h"
#include "master/uv_handle.h"

namespace stickerd {

class Server : private ConnectionEvents, private SupervisorEvents {
 public:
  Server(uv_loop_t* loop, Config config, StyleCatalogue catalogue);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds the socket and starts the workers; then run the loop.
  std::optional<Error> start();
  // Valid once the loop has returned: 0 after a clean drain.
  int exit_code() const { return exit_code_; }

 private:
  enum class State {
    kRunning,
    kDraining,  // no new work; finishing queued and running tasks
    kStopping,  // workers are being stopped; then every handle closes
  };

  // Connections.
  void accept(UvHandle<uv_pipe_t> pipe);
  void on_request(Connection& connection, v1::Request request) override;
  void on_connection_closed(Connection& connection) override;

  // Requests.
  void handle_render(Connection& connection, std::uint64_t id, const v1::RenderRequest& render);
  void handle_batch(Connection& connection, std::uint64_t id, const v1::BatchRequest& batch);
  void handle_cancel(Connection& connection, std::uint64_t id, const v1::CancelRequest& cancel);
  void fill_stats(v1::Stats& stats) const;
  void fill_styles(v1::StyleList& list) const;
  // A final reply to a request that was never booked (refused, or instant).
  void answer(Connection& connection, std::uint64_t id, v1::Reply reply);
  void send_to(std::uint64_t connection_id, const v1::Reply& reply);
  // Sends the final reply of a booked request and forgets it.
  void finish(std::uint64_t serial, v1::Reply reply);

  // Tasks.
  void dispatch();
  // Routes one task's outcome (sticker or error) to the request it serves.
  void settle(const Task& task, v1::TaskResult result);
  void on_worker_idle() override;
  void on_task_result(Task task, v1::TaskResult result) override;
  void on_task_lost(Task task) override;
  void on_workers_stopped() override;
  void on_no_workers_possible(const std::string& reason) override;

  // Shutdown.
  void on_signal(int signum);
  void maybe_finish_drain();

  uv_loop_t* loop_;
  Config config_;
  StyleCatalogue catalogue_;
  AdmissionLimits limits_;
  State state_ = State::kRunning;
  int exit_code_ = 0;
  std::uint64_t started_ns_;

  Listener listener_;
  Signals signals_;
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  // Closed connections wait here until the loop is past the callback that
  // closed them, so no caller up the stack holds a dangling reference.
  std::vector<std::unique_ptr<Connection>> graveyard_;
  UvHandle<uv_check_t> reaper_;
  std::uint64_t next_connection_id_ = 1;
  std::uint64_t next_task_id_ = 1;

  TaskQueue queue_;
  RequestBook book_;
  Supervisor supervisor_;

  std::uint64_t tasks_completed_ = 0;
  std::uint64_t tasks_failed_ = 0;
  std::uint64_t rejected_queue_full_ = 0;
  std::uint64_t retries_ = 0;
};

}  // namespace stickerd
