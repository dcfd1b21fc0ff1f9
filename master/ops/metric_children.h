// A labelled metric family's children, found by a cheap key.
//
// prometheus-cpp's Family::Add builds the label map, takes the family's lock
// and constructs a new metric (a Histogram with its buckets) on every call,
// then drops it when the child already exists. Recording per request through
// Add put that on the master's loop for every reply; this finds a child once
// and keeps the reference (the family owns its children until removed, and
// stickerd never removes one).
#pragma once

#include <unordered_map>
#include <utility>

#include <prometheus/family.h>

namespace stickerd {

template <typename Metric, typename Key>
class MetricChildren {
 public:
  explicit MetricChildren(prometheus::Family<Metric>& family) : family_(family) {}

  // The child for `key`; `labels()` gives its labels the first time.
  template <typename MakeLabels, typename... Args>
  Metric& at(const Key& key, MakeLabels&& labels, Args&&... args) {
    if (auto it = children_.find(key); it != children_.end()) return *it->second;
    Metric& child = family_.Add(labels(), std::forward<Args>(args)...);
    children_.emplace(key, &child);
    return child;
  }

 private:
  prometheus::Family<Metric>& family_;
  std::unordered_map<Key, Metric*> children_;
};

}  // namespace stickerd
