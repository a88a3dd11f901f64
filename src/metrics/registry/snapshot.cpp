#include "observo/metrics/snapshot.h"

#include <algorithm>

namespace observo::metrics {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kUntyped: return "untyped";
  }
  return "untyped";
}

Labels make_labels(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  // Keep the first of duplicate names.
  labels.erase(std::unique(labels.begin(), labels.end(),
                           [](const Label& a, const Label& b) { return a.name == b.name; }),
               labels.end());
  return labels;
}

namespace {
bool is_name_start(char c, bool colon_ok) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
}
bool is_name_char(char c, bool colon_ok) {
  return is_name_start(c, colon_ok) || (c >= '0' && c <= '9');
}
bool valid_name(std::string_view name, bool colon_ok) {
  if (name.empty() || !is_name_start(name.front(), colon_ok)) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return is_name_char(c, colon_ok); });
}
}  // namespace

bool is_valid_metric_name(std::string_view name) { return valid_name(name, true); }

bool is_valid_label_name(std::string_view name) {
  return valid_name(name, false) && !name.starts_with("__");
}

}  // namespace observo::metrics
