// PoisonList: requests that keep killing workers, remembered so that an
// identical request is refused at once instead of killing another worker.
//
// A request is identified by its fingerprint: a hash of the text, the
// style's config_id (so a changed style is a new request), the format and
// the profile. An entry lives for the TTL after its last kill; a request
// refused while poisoned refreshes nothing (it killed no worker).
// Pure: the caller passes the time in milliseconds. Unit-tested from memory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "master/pool/death_cause.h"
#include "master/pool/task.h"

namespace stickerd {

struct PoisonEntry {
  std::uint64_t fingerprint = 0;
  std::string style_id;
  std::string text_preview;   // the first few characters, for the operator
  DeathCause cause;           // how the last worker it killed died
  std::uint32_t kills = 0;    // workers this request has killed
  std::uint32_t refused = 0;  // identical requests refused since
  std::uint64_t first_seen_ms = 0;
  std::uint64_t last_seen_ms = 0;
};

// The fingerprint of a validated spec whose style has `config_id`.
std::uint64_t request_fingerprint(const TaskSpec& spec, std::string_view config_id);

class PoisonList {
 public:
  explicit PoisonList(std::uint64_t ttl_ms) : ttl_ms_(ttl_ms) {}

  // Records that `spec` (fingerprint `fp`) killed `kills` workers, the last
  // one by `cause`.
  void add(std::uint64_t fp, const TaskSpec& spec, DeathCause cause, std::uint32_t kills,
           std::uint64_t now_ms);
  // The live entry for `fp`, counting the refusal; nullptr if none.
  const PoisonEntry* refuse(std::uint64_t fp, std::uint64_t now_ms);
  // Live entries, oldest first; expired ones are dropped.
  std::vector<PoisonEntry> list(std::uint64_t now_ms);
  std::size_t size() const { return entries_.size(); }

 private:
  void expire(std::uint64_t now_ms);

  std::uint64_t ttl_ms_;
  std::map<std::uint64_t, PoisonEntry> entries_;
};

}  // namespace stickerd
