// Intake: the one pipeline new work comes in through, for the three kinds
// that ask for renders: render, batch and warm.
//
//   gate        refused SHUTTING_DOWN while draining, or (render, batch)
//               while the control pause holds new work back
//   admission   admit_render / admit_batch (master/requests/admission.h):
//               a bad request costs nothing but its error reply
//   per item    poison list, result cache, single-flight join, then a new
//               task: read from the disk tier when it holds the key, else
//               in the queue (warm: its own bounded queue instead)
//   booking     the RequestBook entry that owes the client its final reply
//
// Each kind takes the stages in the order it always has (a render books
// only once it knows the queue takes it; a batch books first and answers
// each item), so every reply and counter is what it was; what differs
// between the kinds is said where it differs. After booking, the request
// belongs to the Dispatcher, which sends its final reply.
#pragma once

#include <uv.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/style_catalogue.h"
#include "master/config/config.h"
#include "master/ingress/connection.h"
#include "master/ops/operations.h"
#include "master/requests/admission.h"
#include "master/requests/dispatcher.h"
#include "master/requests/request_state.h"
#include "master/requests/run_state.h"

namespace stickerd {

// What the Intake works on; every part outlives it.
struct IntakeParts {
  uv_loop_t* loop;
  const Config& config;
  const StyleCatalogue& catalogue;
  const AdmissionLimits& limits;
  const RunState& state;
  RequestState& requests;
  Operations& ops;
  Dispatcher& dispatcher;
};

class Intake {
 public:
  explicit Intake(IntakeParts parts) : p_(parts), r_(p_.requests) {}
  Intake(const Intake&) = delete;
  Intake& operator=(const Intake&) = delete;

  void render(Connection& connection, std::uint64_t id, const v1::RenderRequest& render);
  void batch(Connection& connection, std::uint64_t id, const v1::BatchRequest& batch);
  void warm(Connection& connection, std::uint64_t id, const v1::WarmRequest& warm);
  // Cancels the connection's request `cancel.target_id`, if it is pending.
  void cancel(Connection& connection, std::uint64_t id, const v1::CancelRequest& cancel);

  // The control pause (`stickerctl drain` without --exit): new render and
  // batch work is refused SHUTTING_DOWN until resume_intake(). Not the
  // SIGTERM drain (Lifecycle), which also finishes and exits.
  void pause_intake() { intake_paused_ = true; }
  void resume_intake() { intake_paused_ = false; }
  bool intake_paused() const { return intake_paused_; }

 private:
  enum class Placed { kJoined, kQueued, kQueueFull };

  // The gate: false (and the request answered) when no new work is taken.
  bool open_for(Connection& connection, std::uint64_t id, bool pause_applies);
  void refuse(Connection& connection, std::uint64_t id, const Error& error);
  // The key of a render, or nullopt when the cache (and so dedup) is off.
  std::optional<std::string> render_key(const TaskSpec& spec) const;
  // A cache lookup that counts as a hit or a miss.
  bool answer_from_cache(const std::string& key, v1::Sticker& out);
  // Records a refusal when the spec's fingerprint is on the poison list
  // (counted in Counters::poisoned and on the entry) and returns the
  // POISONED error to answer; nullopt when it is not poisoned.
  std::optional<Error> refuse_if_poisoned(const TaskSpec& spec);
  // A refusal for a request over the connection's in-flight limit, if it is.
  std::optional<v1::Reply> over_inflight_limit(const Connection& connection);
  std::string queue_full_message() const;
  // Opens the request in the book; nullptr (and answered) for a duplicate id.
  PendingRequest* book(Connection& connection, std::uint64_t id, PendingRequest::Kind kind);
  // Joins an identical render in flight, else queues a new task, which may
  // push a lower-priority one out into `displaced`.
  Placed place(TaskSpec spec, const std::optional<std::string>& key, const PendingRequest& request,
               std::uint32_t index, std::vector<Task>& displaced);
  // One batch item: its immediate reply (refusal or cache hit) goes into
  // `immediate`; a joined or queued item counts as outstanding.
  void place_batch_item(BatchItemPlan& item, std::uint32_t index, PendingRequest& request,
                        std::vector<v1::Reply>& immediate, std::vector<Task>& displaced);
  // Attaches a booked request to the identical task in flight, if there is
  // one, raising a queued task to the request's priority class if needed.
  bool join_flight(const std::string& key, std::uint64_t serial, std::uint32_t batch_index,
                   v1::Priority priority);
  void lead_flight(const std::string& key, std::uint64_t task_id, std::uint64_t serial,
                   std::uint32_t batch_index);
  // One warm item into the warm queue with `score` (WarmQueue), counted in `ack`.
  void place_warm_item(BatchItemPlan& item, std::uint32_t score, v1::WarmAccepted& ack);
  // Every style of `warm` that is not cached, in flight or queued, into the
  // warm queue; false (nothing queued) when admission refuses it.
  Result<v1::WarmAccepted> queue_warm(const v1::WarmRequest& warm, std::uint32_t score);
  // A text whose count is a power of two (predicts_at): its other styles, as a warm request
  // to queue once the request itself is answered or placed (so its own
  // style counts as in flight, and a refused request predicts nothing).
  std::optional<v1::WarmRequest> prediction(const TaskSpec& spec) const;
  void predict(const std::optional<v1::WarmRequest>& warm);

  IntakeParts p_;
  RequestState& r_;  // p_.requests
  std::uint64_t next_task_id_ = 1;
  bool intake_paused_ = false;
};

}  // namespace stickerd
