#include "sources/beyla/span_metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "sources/beyla/attributes.h"
#include "sources/beyla/service_graph.h"
#include "sources/beyla/span_support.h"

namespace observo::beyla {
namespace {

using metrics::Label;
using metrics::Labels;
using opentelemetry::proto::trace::v1::Span;
using opentelemetry::proto::trace::v1::Status;

constexpr std::size_t kTraceIdBytes = 16;
constexpr std::size_t kSpanIdBytes = 8;
constexpr std::size_t kRedSeriesCost = 3;  // calls, errors, duration
constexpr std::size_t kMaxErrorReasons = 3;
// When the series budget is spent, idle series are swept before refusing a new label set, but
// not more often than this (a sweep walks every series).
constexpr std::chrono::seconds kBudgetSweepInterval{1};

struct LabelsLess {
  bool operator()(const Labels& a, const Labels& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(), [](const Label& x, const Label& y) {
          return std::tie(x.name, x.value) < std::tie(y.name, y.value);
        });
  }
};

struct RedSeries {
  double calls = 0;
  double errors = 0;
  DurationHistogram duration;
  SpanMetrics::Clock::time_point last_update;
};

// What a span's resource contributes to its labels and its service graph half.
struct ResourceInfo {
  std::string service_name;
  std::string service_namespace;
  std::string job;
  std::string instance;
};

ResourceInfo resource_info(const opentelemetry::proto::resource::v1::Resource& resource) {
  ResourceInfo info;
  const auto* name = find_attribute(resource.attributes(), "service.name");
  const auto* ns = find_attribute(resource.attributes(), "service.namespace");
  const auto* instance = find_attribute(resource.attributes(), "service.instance.id");
  if (name != nullptr) info.service_name = attribute_text(*name);
  if (ns != nullptr) info.service_namespace = attribute_text(*ns);
  if (instance != nullptr) info.instance = capped_label_value(attribute_text(*instance));
  if (name != nullptr) {
    info.job = info.service_namespace.empty() ? info.service_name
                                              : info.service_namespace + "/" + info.service_name;
  }
  info.service_name = capped_label_value(info.service_name);
  info.service_namespace = capped_label_value(info.service_namespace);
  info.job = capped_label_value(info.job);
  return info;
}

std::size_t label_bytes(const Labels& labels) {
  std::size_t bytes = 0;
  for (const auto& label : labels) bytes += label.name.size() + label.value.size();
  return bytes;
}

bool all_zero(const std::string& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// Why the span's IDs or times make it unusable; empty when they are fine.
std::string invalid_reason(const Span& span) {
  if (span.trace_id().size() != kTraceIdBytes) {
    return "trace_id is " + std::to_string(span.trace_id().size()) + " bytes, want 16";
  }
  if (all_zero(span.trace_id())) return "trace_id is all zeros";
  if (span.span_id().size() != kSpanIdBytes) {
    return "span_id is " + std::to_string(span.span_id().size()) + " bytes, want 8";
  }
  if (all_zero(span.span_id())) return "span_id is all zeros";
  if (!span.parent_span_id().empty() && span.parent_span_id().size() != kSpanIdBytes) {
    return "parent_span_id is " + std::to_string(span.parent_span_id().size()) +
           " bytes, want 8 or none";
  }
  if (span.end_time_unix_nano() < span.start_time_unix_nano()) {
    return "end_time_unix_nano is before start_time_unix_nano";
  }
  return {};
}

// End minus start of a valid span (invalid_reason refuses an end before the start).
double span_seconds(const Span& span) {
  return static_cast<double>(span.end_time_unix_nano() - span.start_time_unix_nano()) / 1e9;
}

// An HTTP status of 500 or more in http.response.status_code (or the older http.status_code),
// as an integer or a decimal string.
bool http_server_error(const Span& span) {
  const auto* value = find_attribute(span.attributes(), "http.response.status_code");
  if (value == nullptr) value = find_attribute(span.attributes(), "http.status_code");
  if (value == nullptr) return false;
  using opentelemetry::proto::common::v1::AnyValue;
  if (value->value_case() == AnyValue::kIntValue) return value->int_value() >= 500;
  if (value->value_case() == AnyValue::kStringValue) {
    const std::string& text = value->string_value();
    long long code = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), code);
    return result.ec == std::errc() && result.ptr == text.data() + text.size() && code >= 500;
  }
  return false;
}

std::string_view status_label(const Span& span) {
  switch (span.status().code()) {
    case Status::STATUS_CODE_OK:
      return "STATUS_CODE_OK";
    case Status::STATUS_CODE_ERROR:
      return "STATUS_CODE_ERROR";
    default:
      return "STATUS_CODE_UNSET";
  }
}

// A server span whose flags say its parent is in the same process has no client half to meet.
bool parent_is_local(const Span& span) {
  using opentelemetry::proto::trace::v1::SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK;
  using opentelemetry::proto::trace::v1::SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK;
  return (span.flags() & SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK) != 0 &&
         (span.flags() & SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK) == 0;
}

std::vector<double> clean_bounds(std::vector<double> bounds) {
  bounds.erase(
      std::remove_if(bounds.begin(), bounds.end(), [](double b) { return !std::isfinite(b); }),
      bounds.end());
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

}  // namespace

struct SpanMetrics::State {
  explicit State(SpanMetricsOptions opts)
      : options(std::move(opts)),
        bounds(clean_bounds(options.duration_buckets)),
        graph(options.service_graph_wait, options.max_pending, options.expiration, bounds) {
    budget.max = options.max_series;
  }

  // Returns true when anything visible changed.
  bool record_red(const ResourceInfo& resource, const Span& span, bool error,
                  Clock::time_point now);
  bool expire_series(Clock::time_point now);
  metrics::SnapshotPtr build() const;

  const SpanMetricsOptions options;
  const std::vector<double> bounds;

  std::mutex mutex;
  std::map<Labels, RedSeries, LabelsLess> red;
  ServiceGraph graph;
  SeriesBudget budget;
  std::optional<Clock::time_point> last_budget_sweep;
  metrics::SnapshotPtr cached;
};

bool SpanMetrics::State::record_red(const ResourceInfo& resource, const Span& span, bool error,
                                    Clock::time_point now) {
  std::vector<Label> labels;
  labels.reserve(7);
  if (!resource.job.empty()) labels.push_back({"job", resource.job});
  if (!resource.instance.empty()) labels.push_back({"instance", resource.instance});
  if (!resource.service_name.empty()) labels.push_back({"service_name", resource.service_name});
  if (!resource.service_namespace.empty()) {
    labels.push_back({"service_namespace", resource.service_namespace});
  }
  if (!span.name().empty()) labels.push_back({"span_name", capped_label_value(span.name())});
  labels.push_back({"span_kind", span.kind() == Span::SPAN_KIND_SERVER ? "SPAN_KIND_SERVER"
                                                                       : "SPAN_KIND_CONSUMER"});
  labels.push_back({"status_code", std::string(status_label(span))});
  Labels key = metrics::make_labels(std::move(labels));

  auto it = red.find(key);
  if (it == red.end()) {
    const std::size_t bytes = label_bytes(key);
    if (!budget.fits(kRedSeriesCost, bytes) &&
        (!last_budget_sweep || now - *last_budget_sweep >= kBudgetSweepInterval)) {
      last_budget_sweep = now;
      expire_series(now);
    }
    if (!budget.take(kRedSeriesCost, bytes)) return true;  // the rejection counter moved
    it = red.emplace(std::move(key), RedSeries{}).first;
  }
  RedSeries& series = it->second;
  series.calls += 1;
  if (error) series.errors += 1;
  series.duration.observe(bounds, span_seconds(span));
  series.last_update = now;
  return true;
}

bool SpanMetrics::State::expire_series(Clock::time_point now) {
  bool changed = false;
  for (auto it = red.begin(); it != red.end();) {
    if (now - it->second.last_update >= options.expiration) {
      budget.release(kRedSeriesCost, label_bytes(it->first));
      it = red.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (options.service_graph && graph.expire_edges(now, budget)) changed = true;
  return changed;
}

metrics::SnapshotPtr SpanMetrics::State::build() const {
  auto snapshot = std::make_shared<metrics::Snapshot>();
  auto& out = snapshot->families;
  if (options.span_metrics && !red.empty()) {
    auto calls = family("traces_span_metrics_calls_total", metrics::MetricType::kCounter,
                        "SERVER and CONSUMER spans received.");
    auto duration = family("traces_span_metrics_duration_seconds", metrics::MetricType::kHistogram,
                           "Duration of SERVER and CONSUMER spans (end minus start), in seconds.");
    auto errors = family("traces_span_metrics_errors_total", metrics::MetricType::kCounter,
                         "SERVER and CONSUMER spans with status ERROR or an HTTP status of 500 "
                         "or more.");
    for (const auto& [labels, red_series] : red) {
      metrics::Series series;
      series.labels = labels;
      series.value = red_series.calls;
      calls.series.push_back(series);
      series.value = red_series.errors;
      errors.series.push_back(series);
      duration.series.push_back(red_series.duration.series(bounds, labels));
    }
    out.push_back(std::move(calls));
    out.push_back(std::move(duration));
    out.push_back(std::move(errors));
  }
  if (options.service_graph) graph.append_families(out);
  out.push_back(single("observo_otlp_span_series", metrics::MetricType::kGauge,
                       "Series held by the span metric and service graph families.",
                       static_cast<double>(budget.held)));
  out.push_back(single("observo_otlp_span_series_limit_rejections_total",
                       metrics::MetricType::kCounter,
                       "New span metric or service graph label sets refused because the series "
                       "limit was reached.",
                       static_cast<double>(budget.rejections)));
  return snapshot;
}

SpanMetrics::SpanMetrics(SpanMetricsOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

SpanMetrics::~SpanMetrics() = default;

IngestOutcome SpanMetrics::ingest(const ExportTraceServiceRequest& request) {
  return ingest(request, Clock::now());
}

IngestOutcome SpanMetrics::ingest(const ExportTraceServiceRequest& request, Clock::time_point now) {
  IngestOutcome outcome;
  std::vector<std::string> reasons;
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  bool changed = s.options.service_graph && s.graph.expire_pending(now);

  for (int r = 0; r < request.resource_spans_size(); ++r) {
    const auto& resource_spans = request.resource_spans(r);
    const ResourceInfo resource = resource_info(resource_spans.resource());
    for (int c = 0; c < resource_spans.scope_spans_size(); ++c) {
      const auto& scope_spans = resource_spans.scope_spans(c);
      for (int i = 0; i < scope_spans.spans_size(); ++i) {
        const Span& span = scope_spans.spans(i);
        if (std::string reason = invalid_reason(span); !reason.empty()) {
          ++outcome.rejected;
          if (reasons.size() < kMaxErrorReasons) {
            reasons.push_back("resource_spans[" + std::to_string(r) + "].scope_spans[" +
                              std::to_string(c) + "].spans[" + std::to_string(i) + "]: " + reason);
          }
          continue;
        }
        ++outcome.accepted;
        const bool server_side =
            span.kind() == Span::SPAN_KIND_SERVER || span.kind() == Span::SPAN_KIND_CONSUMER;
        const bool client_side =
            span.kind() == Span::SPAN_KIND_CLIENT || span.kind() == Span::SPAN_KIND_PRODUCER;
        const bool status_error = span.status().code() == Status::STATUS_CODE_ERROR;
        if (server_side) {
          const bool error = status_error || http_server_error(span);
          if (s.options.span_metrics && s.record_red(resource, span, error, now)) changed = true;
          if (s.options.service_graph && !span.parent_span_id().empty() &&
              !all_zero(span.parent_span_id()) && !parent_is_local(span)) {
            s.graph.add_server(span.trace_id(), span.parent_span_id(),
                               SpanHalf{resource.service_name, error, span_seconds(span)}, now,
                               s.budget);
            changed = true;
          }
        } else if (client_side && s.options.service_graph) {
          s.graph.add_client(span.trace_id(), span.span_id(),
                             SpanHalf{resource.service_name, status_error, span_seconds(span)},
                             now, s.budget);
          changed = true;
        }
      }
    }
  }

  if (outcome.rejected > 0) {
    for (std::size_t i = 0; i < reasons.size(); ++i) {
      if (i > 0) outcome.error_message += "; ";
      outcome.error_message += reasons[i];
    }
    if (outcome.rejected > static_cast<std::int64_t>(reasons.size())) {
      outcome.error_message += " (" + std::to_string(outcome.rejected) + " spans rejected)";
    }
  }
  if (changed) s.cached.reset();
  return outcome;
}

metrics::SnapshotPtr SpanMetrics::snapshot() { return snapshot(Clock::now()); }

metrics::SnapshotPtr SpanMetrics::snapshot(Clock::time_point now) {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  bool changed = s.expire_series(now);
  if (s.options.service_graph && s.graph.expire_pending(now)) changed = true;
  if (changed || !s.cached) s.cached = s.build();
  return s.cached;
}

}  // namespace observo::beyla
