// DiskIndex: the segmented LRU and the budget arithmetic.
#include "master/cache/disk_index.h"

#include <algorithm>
#include <initializer_list>

namespace stickerd {
namespace {

constexpr std::size_t kPageBytes = 4096;
// The key again and the 16-byte DiskMeta in the bookkeeping table, plus
// LMDB's node headers in both tables.
constexpr std::size_t kRecordOverhead = 128;

// The keys from the front of `segments`, in order, as many as `max_bytes`
// of charge holds.
template <typename Segment>
std::vector<std::string> front_keys(std::initializer_list<const Segment*> segments,
                                    std::size_t max_bytes) {
  std::vector<std::string> keys;
  std::size_t taken = 0;
  for (const Segment* segment : segments) {
    for (const auto& node : *segment) {
      if (taken + node.meta.charge > max_bytes) return keys;
      taken += node.meta.charge;
      keys.push_back(node.key);
    }
  }
  return keys;
}

}  // namespace

std::size_t DiskIndex::charge(std::size_t key_bytes, std::size_t value_bytes) {
  const std::size_t stored = key_bytes + value_bytes;
  return (stored + kPageBytes - 1) / kPageBytes * kPageBytes + key_bytes + kRecordOverhead;
}

std::vector<std::string> DiskIndex::insert(const std::string& key, std::size_t charge,
                                           DiskMeta meta) {
  std::vector<std::string> evicted;
  erase(key);
  if (charge > capacity()) return evicted;
  while (bytes_ + charge > capacity()) evict_one(evicted);
  meta.charge = static_cast<std::uint32_t>(charge);
  meta.stamp = std::max(meta.stamp, clock_);
  clock_ = meta.stamp + 1;
  probation_.push_front(Node{key, meta, false});
  nodes_.emplace(key, probation_.begin());
  bytes_ += charge;
  if (meta.hits > 0) protect(probation_.begin());
  return evicted;
}

std::optional<DiskMeta> DiskIndex::touch(const std::string& key) {
  auto found = nodes_.find(key);
  if (found == nodes_.end()) return std::nullopt;
  const Segment::iterator it = found->second;
  ++it->meta.hits;
  it->meta.stamp = clock_++;
  protect(it);
  return it->meta;
}

void DiskIndex::erase(const std::string& key) {
  auto found = nodes_.find(key);
  if (found == nodes_.end()) return;
  const Node& node = *found->second;
  bytes_ -= node.meta.charge;
  if (node.is_protected) protected_bytes_ -= node.meta.charge;
  segment_of(node).erase(found->second);
  nodes_.erase(found);
}

std::optional<DiskMeta> DiskIndex::meta(const std::string& key) const {
  auto found = nodes_.find(key);
  if (found == nodes_.end()) return std::nullopt;
  return found->second->meta;
}

std::vector<std::string> DiskIndex::hottest(std::size_t max_bytes) const {
  return front_keys({&protected_, &probation_}, max_bytes);
}

std::vector<std::string> DiskIndex::popular(std::size_t max_bytes) const {
  return front_keys({&protected_}, max_bytes);
}

void DiskIndex::evict_one(std::vector<std::string>& evicted) {
  Segment& from = probation_.empty() ? protected_ : probation_;
  evicted.push_back(from.back().key);
  erase(from.back().key);
}

// Moves `it` to the front of the protected segment, then demotes the
// segment's least recent entries to probation until it fits its limit.
void DiskIndex::protect(Segment::iterator it) {
  if (!it->is_protected) protected_bytes_ += it->meta.charge;
  protected_.splice(protected_.begin(), segment_of(*it), it);
  it->is_protected = true;
  while (protected_bytes_ > protected_limit() && protected_.size() > 1) {
    const Segment::iterator last = std::prev(protected_.end());
    last->is_protected = false;
    protected_bytes_ -= last->meta.charge;
    probation_.splice(probation_.begin(), protected_, last);
  }
}

}  // namespace stickerd
