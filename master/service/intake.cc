#include "master/service/intake.h"

#include <fmt/format.h>

#include <bit>
#include <limits>

#include "build_config.h"
#include "common/test_styles.h"
#include "master/requests/deadlines.h"
#include "master/requests/error_reply.h"
#include "master/service/answer.h"

namespace stickerd {
namespace {

// The renderer's output changes only with a new build of this project, so the
// project version stands in for the renderer version in the cache key (the
// cache lives in memory and dies with the daemon anyway).
constexpr std::string_view kRendererVersion = STICKERD_VERSION;

// Inline bots show every style of a text at once: from a text's first
// request its other styles are likely next. On bench/trace predicting at
// the first request added 6.7 points of hit ratio (of the 6.8 that a known
// text in a new style leaves any style predictor there), at the second 2.7.
// Each time its count doubles the text is predicted again: that raises its
// renders still queued to its new count, and queues again what a full warm
// queue dropped or the caches evicted meanwhile.
constexpr bool predicts_at(std::uint32_t text_count) { return std::has_single_bit(text_count); }
static_assert(predicts_at(1) && predicts_at(2) && !predicts_at(3) && predicts_at(64) &&
              !predicts_at(0));

// An operator's warm request (stickerctl warm) leaves before any prediction
// and is never given up for one.
constexpr std::uint32_t kOperatorWarmScore = std::numeric_limits<std::uint32_t>::max();

// A batch item's reply, to be given its sticker or its error.
v1::Reply batch_item_reply(std::uint64_t id, std::uint32_t index, const std::string& style_id) {
  v1::Reply reply;
  reply.set_id(id);
  v1::BatchItem* bi = reply.mutable_batch_item();
  bi->set_index(index);
  bi->set_style_id(style_id);
  return reply;
}

}  // namespace

// ---- the kinds -----------------------------------------------------------------

// A render: a cache hit is answered here, without a worker or a place in the
// queue; it books only once the queue is known to take it.
void Intake::render(Connection& connection, std::uint64_t id, const v1::RenderRequest& render) {
  if (!open_for(connection, id, true)) return;
  auto spec = admit_render(render, p_.catalogue, p_.limits);
  if (!spec) return refuse(connection, id, spec.error());
  r_.popularity.observe(spec->text, spec->style_id);
  const std::optional<v1::WarmRequest> guess = prediction(*spec);
  const std::optional<std::string> key = render_key(*spec);
  if (v1::Reply hit; key && answer_from_cache(*key, *hit.mutable_sticker())) {
    answer(p_.ops.metrics(), connection, id, std::move(hit));
    predict(guess);
    return;
  }
  if (auto poisoned = refuse_if_poisoned(*spec)) return refuse(connection, id, *poisoned);
  if (auto refusal = over_inflight_limit(connection)) {
    answer(p_.ops.metrics(), connection, id, std::move(*refusal));
    return;
  }
  // A sticker the disk tier holds needs no place in the queue.
  if (!r_.queue.can_accept(spec->priority) && !(key && r_.disk.contains(*key))) {
    ++r_.counters.rejected_queue_full;
    return refuse(connection, id, make_error(v1::QUEUE_FULL, queue_full_message()));
  }
  PendingRequest* request = book(connection, id, PendingRequest::Kind::kRender);
  if (request == nullptr) return;
  request->outstanding = 1;
  // Cannot be refused: can_accept() was checked above. It may push out a
  // queued lower-priority task, whose request is answered QUEUE_FULL.
  std::vector<Task> displaced;
  const Placed placed = place(std::move(*spec), key, *request, 0, displaced);
  predict(guess);
  if (placed == Placed::kJoined) return;
  for (const Task& task : displaced) p_.dispatcher.answer_displaced(task);
  p_.dispatcher.dispatch();
}

// A batch: booked first, then each item placed on its own; refusals and
// cache hits are answered at once as batch items, the rest when they settle.
void Intake::batch(Connection& connection, std::uint64_t id, const v1::BatchRequest& batch) {
  if (!open_for(connection, id, true)) return;
  auto plan = admit_batch(batch, p_.catalogue, p_.limits);
  if (!plan) return refuse(connection, id, plan.error());
  if (auto refusal = over_inflight_limit(connection)) {
    answer(p_.ops.metrics(), connection, id, std::move(*refusal));
    return;
  }
  PendingRequest* request = book(connection, id, PendingRequest::Kind::kBatch);
  if (request == nullptr) return;
  const std::uint64_t serial = request->serial;
  request->batch_count = static_cast<std::uint32_t>(plan->size());
  // Queue first, reply after: a send can close the connection and with it
  // the request, so `request` is not touched once replies start going out.
  std::vector<v1::Reply> immediate;  // refused items and cache hits
  std::vector<Task> displaced;       // lower-priority tasks the items pushed out of a full queue
  for (std::uint32_t i = 0; i < plan->size(); ++i) {
    place_batch_item((*plan)[i], i, *request, immediate, displaced);
  }
  const bool nothing_queued = request->outstanding == 0;
  v1::Reply done;
  done.mutable_batch_done()->set_count(request->batch_count);
  done.mutable_batch_done()->set_succeeded(request->batch_succeeded);  // cache hits
  for (const auto& reply : immediate) connection.send(reply);
  for (const Task& task : displaced) p_.dispatcher.answer_displaced(task);
  if (nothing_queued) {
    p_.dispatcher.finish(serial, std::move(done));
    return;
  }
  p_.dispatcher.dispatch();
}

// Unlike a render, a batch item is checked against the poison list before
// the cache, and its lookup counts only a hit.
void Intake::place_batch_item(BatchItemPlan& item, std::uint32_t index, PendingRequest& request,
                              std::vector<v1::Reply>& immediate, std::vector<Task>& displaced) {
  std::optional<Error> error;
  if (item.spec) r_.popularity.observe(item.spec->text, item.spec->style_id);
  if (!item.spec) {
    error = item.spec.error();
  } else if (auto poisoned = refuse_if_poisoned(*item.spec)) {
    error = std::move(poisoned);
  } else if (const auto key = render_key(*item.spec); key && r_.cache.contains(*key)) {
    v1::Reply hit = batch_item_reply(request.client_id, index, item.style_id);
    answer_from_cache(*key, *hit.mutable_batch_item()->mutable_sticker());
    ++request.batch_succeeded;
    immediate.push_back(std::move(hit));
  } else if (place(std::move(*item.spec), key, request, index, displaced) != Placed::kQueueFull) {
    // Each item follows the rule a render of its priority does: it may
    // displace the newest task of a strictly lower class.
    ++request.outstanding;
  } else {
    ++r_.counters.rejected_queue_full;
    error = make_error(v1::QUEUE_FULL, queue_full_message());
  }
  if (error) {
    v1::Reply reply = batch_item_reply(request.client_id, index, item.style_id);
    to_proto(*error, *reply.mutable_batch_item()->mutable_error());
    immediate.push_back(std::move(reply));
  }
}

// A warm request: validated exactly as a background batch of the same
// styles, never booked (it is answered at once with what was queued), not
// held back by the control pause, and its items go to the warm queue.
void Intake::warm(Connection& connection, std::uint64_t id, const v1::WarmRequest& warm) {
  if (!open_for(connection, id, false)) return;
  if (!r_.cache.enabled()) {
    return refuse(connection, id,
                  make_error(v1::INVALID_ARGUMENT,
                             "the result cache is off (--cache-mb 0): warm renders would be lost"));
  }
  auto ack = queue_warm(warm, kOperatorWarmScore);
  if (!ack) return refuse(connection, id, ack.error());
  v1::Reply reply;
  *reply.mutable_warm_accepted() = std::move(*ack);
  answer(p_.ops.metrics(), connection, id, std::move(reply));
  p_.dispatcher.dispatch();
}

Result<v1::WarmAccepted> Intake::queue_warm(const v1::WarmRequest& warm, std::uint32_t score) {
  v1::BatchRequest as_batch;
  as_batch.set_text(warm.text());
  *as_batch.mutable_style_ids() = warm.style_ids();
  as_batch.set_format(warm.format());
  as_batch.set_profile(warm.profile());
  as_batch.set_priority(v1::PRIORITY_BACKGROUND);
  auto plan = admit_batch(as_batch, p_.catalogue, p_.limits);
  if (!plan) return plan.error();
  v1::WarmAccepted ack;
  for (BatchItemPlan& item : *plan) place_warm_item(item, score, ack);
  return ack;
}

// Warm renders run only on a worker that would idle otherwise, with one
// kept free (Dispatcher::dispatch_warm): a client never waits behind them.
std::optional<v1::WarmRequest> Intake::prediction(const TaskSpec& spec) const {
  // A test style (bench/run's test-echo) stands for no real style.
  if (p_.config.predict != "on" || !r_.cache.enabled() || is_test_style(spec.style_id)) {
    return std::nullopt;
  }
  if (!predicts_at(r_.popularity.text_count(spec.text))) return std::nullopt;
  v1::WarmRequest warm;  // no style named: every style that has the format
  warm.set_text(spec.text);
  warm.set_format(spec.format);
  warm.set_profile(spec.profile);
  return warm;
}

void Intake::predict(const std::optional<v1::WarmRequest>& warm) {
  if (warm) queue_warm(*warm, r_.popularity.text_count(warm->text()));
}

void Intake::place_warm_item(BatchItemPlan& item, std::uint32_t score, v1::WarmAccepted& ack) {
  if (!item.spec) {
    ack.set_invalid(ack.invalid() + 1);
    return;
  }
  std::string key = *render_key(*item.spec);
  if (r_.warm.holds(key)) {
    r_.warm.raise(key, score);  // its text was asked for again: it leaves sooner
    ack.set_cached(ack.cached() + 1);
    return;
  }
  if (r_.cache.contains(key) || r_.disk.contains(key) || r_.flights.active(key)) {
    ack.set_cached(ack.cached() + 1);
    return;
  }
  // Warm work has its own queue, bounded like the main one, so it never
  // takes a place an interactive request could need. When it is full, the
  // least popular entry makes room for a more popular one.
  if (r_.warm.size() >= r_.queue.capacity()) {
    const std::optional<std::uint32_t> least = r_.warm.least_score();
    if (!least || *least >= score) {
      ack.set_dropped(ack.dropped() + 1);
      ++r_.counters.warm_dropped;
      return;
    }
    r_.warm.pop_least();
    ++r_.counters.warm_dropped;
  }
  Task task;
  task.task_id = next_task_id_++;
  task.spec = std::move(*item.spec);
  task.spec.priority = v1::PRIORITY_BACKGROUND;
  r_.warm.push(std::move(task), std::move(key), score);
  ack.set_queued(ack.queued() + 1);
  ++r_.counters.warm_queued;
}

void Intake::cancel(Connection& connection, std::uint64_t id, const v1::CancelRequest& cancel) {
  const PendingRequest* target = r_.book.find_client(connection.id(), cancel.target_id());
  v1::Reply reply;
  reply.mutable_cancel()->set_found(target != nullptr);
  if (target != nullptr) p_.dispatcher.cancel(target->serial, id);
  answer(p_.ops.metrics(), connection, id, std::move(reply));
}

// ---- the stages ----------------------------------------------------------------

bool Intake::open_for(Connection& connection, std::uint64_t id, bool pause_applies) {
  if (p_.state == RunState::kRunning && !(pause_applies && intake_paused_)) return true;
  refuse(connection, id,
         make_error(v1::SHUTTING_DOWN, "stickerd is shutting down; retry on another instance"));
  return false;
}

void Intake::refuse(Connection& connection, std::uint64_t id, const Error& error) {
  answer(p_.ops.metrics(), connection, id, error_reply(error.code, error.message));
}

std::optional<std::string> Intake::render_key(const TaskSpec& spec) const {
  if (!r_.cache.enabled()) return std::nullopt;
  return cache_key(spec.text, p_.catalogue.config_id(spec.style_id), spec.format, spec.profile,
                   kRendererVersion);
}

bool Intake::answer_from_cache(const std::string& key, v1::Sticker& out) {
  const v1::Sticker* hit = r_.cache.get(key);
  p_.dispatcher.publish_cache_metrics();
  if (hit == nullptr) return false;
  r_.disk.touch(key);  // popular in memory is popular on disk: evicted there last
  out = *hit;
  return true;
}

std::optional<Error> Intake::refuse_if_poisoned(const TaskSpec& spec) {
  const std::uint64_t fp = request_fingerprint(spec, p_.catalogue.config_id(spec.style_id));
  const std::uint64_t now = uv_now(p_.loop);
  const PoisonEntry* e = r_.poison.refuse(fp, now);
  if (e == nullptr) return std::nullopt;
  ++r_.counters.poisoned;
  const std::uint64_t left_s = (p_.config.poison_ttl_s * 1000 - (now - e->last_seen_ms)) / 1000;
  return make_error(v1::POISONED,
                    fmt::format("an identical request killed {} workers; it is refused for another "
                                "{} s (stickerctl poison lists these)",
                                e->kills, left_s));
}

std::optional<v1::Reply> Intake::over_inflight_limit(const Connection& connection) {
  if (r_.book.count_connection(connection.id()) < p_.config.max_inflight) return std::nullopt;
  ++r_.counters.rejected_limits;
  return error_reply(v1::QUEUE_FULL,
                     fmt::format("this connection already has {} requests pending, the limit; wait "
                                 "for replies before sending more",
                                 p_.config.max_inflight));
}

std::string Intake::queue_full_message() const {
  return fmt::format("the queue is full ({} tasks waiting); retry later", r_.queue.size());
}

PendingRequest* Intake::book(Connection& connection, std::uint64_t id, PendingRequest::Kind kind) {
  PendingRequest* request = r_.book.open(connection.id(), id, kind);
  if (request == nullptr) {
    refuse(connection, id,
           make_error(v1::INVALID_ARGUMENT,
                      fmt::format("request id {} is already pending on this connection", id)));
  }
  return request;
}

Intake::Placed Intake::place(TaskSpec spec, const std::optional<std::string>& key,
                             const PendingRequest& request, std::uint32_t index,
                             std::vector<Task>& displaced) {
  // An identical task is in flight: this request waits for its result.
  if (key && join_flight(*key, request.serial, index, spec.priority)) return Placed::kJoined;
  Task task{next_task_id_++, request.serial, request.connection_id, index, 0, std::move(spec)};
  task.fingerprint = request_fingerprint(task.spec, p_.catalogue.config_id(task.spec.style_id));
  set_deadlines(task, uv_now(p_.loop), p_.limits.deadline_ms);
  const std::uint64_t task_id = task.task_id;
  // Missed in memory: the disk tier next, off the loop, then Redis in
  // cluster mode; the dispatcher queues the task itself if both miss.
  if (key && p_.dispatcher.read_lower_tiers(task, *key)) {
    lead_flight(*key, task_id, request.serial, index);
    return Placed::kQueued;
  }
  p_.ops.task_queued(task.task_id);
  auto pushed = r_.queue.push_or_displace(task);
  if (!pushed.accepted) return Placed::kQueueFull;
  if (key) lead_flight(*key, task_id, request.serial, index);
  if (pushed.displaced) displaced.push_back(std::move(*pushed.displaced));
  return Placed::kQueued;
}

bool Intake::join_flight(const std::string& key, std::uint64_t serial, std::uint32_t batch_index,
                         v1::Priority priority) {
  if (!r_.flights.join(key, {serial, batch_index})) return false;
  // The shared task waits in the class of its most urgent waiter.
  r_.queue.promote(*r_.flights.task_of(key), priority);
  ++r_.counters.cache_joined;
  p_.dispatcher.publish_cache_metrics();
  return true;
}

void Intake::lead_flight(const std::string& key, std::uint64_t task_id, std::uint64_t serial,
                         std::uint32_t batch_index) {
  // An interactive or batch request now renders this key: a queued warm
  // render of it would only repeat the work.
  r_.warm.drop(key);
  r_.flights.start(key, task_id, SingleFlight::Waiter{serial, batch_index});
}

}  // namespace stickerd
