// Label sets for the metric store: OTLP attributes to sanitised, sorted Prometheus labels, with
// the collision rule (values of keys that sanitise to one name joined with ';' in key order),
// empty values dropped, and the size caps. PointLabels is the per-data-point path: it reuses its
// buffers and yields the identity key of the set without building Label strings, so the store
// only allocates labels for series it has not seen.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "observo/metrics/snapshot.h"
#include "sources/beyla/attributes.h"

namespace observo::beyla {

inline constexpr std::size_t kMaxLabelValueBytes = 2048;  // longer values are cut (UTF-8 safe)
inline constexpr std::size_t kMaxLabelsPerSeries = 128;   // more: the point is rejected

// Cuts `value` to at most kMaxLabelValueBytes without splitting a UTF-8 sequence.
void truncate_label_value(std::string& value);

// Attribute keys to label names, remembered. References stay valid until trim().
class LabelNameCache {
 public:
  const std::string& get(const std::string& key);
  void trim();  // empties the cache when it has grown large; call between requests

 private:
  std::unordered_map<std::string, std::string> names_;
};

// (attribute key, value text) pairs to labels: sorted by name, unique, empty values dropped,
// collisions joined with ';' in key order, values truncated.
metrics::Labels labels_from_pairs(std::vector<std::pair<std::string, std::string>> pairs,
                                  LabelNameCache& names);

// `base` with `over` laid on top: on equal names `over` wins. Both sorted.
metrics::Labels overlay(const metrics::Labels& base, const metrics::Labels& over);

// The identity key of a sorted label set (what PointLabels::key() yields for it).
std::string labels_key(const metrics::Labels& labels);

class PointLabels {
 public:
  // Builds the label set of one point: `fixed` labels (job, instance, scope) win over the
  // point's attributes, which win over `defaults` (promoted resource attributes); a label named
  // `reserved` (le, quantile) coming from attributes is left out. False when the set would
  // hold more than kMaxLabelsPerSeries labels.
  bool build(const Attributes& attributes, const metrics::Labels& fixed,
             const metrics::Labels& defaults, std::string_view reserved, LabelNameCache& names);

  const std::string& key() const { return key_; }
  metrics::Labels labels() const;

 private:
  struct Entry {
    const std::string* name = nullptr;
    const std::string* key = nullptr;
    std::string value;
  };
  std::vector<Entry> entries_;
  std::size_t used_ = 0;
  std::vector<std::pair<std::string_view, std::string_view>> merged_;
  std::string key_;
};

}  // namespace observo::beyla
