// OTLP metric and attribute names to Prometheus names, the way the OpenTelemetry collector's
// Prometheus exporter and prometheus/otlptranslator ("UnderscoreEscapingWithSuffixes") build
// them, so that observo shows the same names as Beyla's own Prometheus endpoint. Pure
// functions; the rules with examples are in docs/otlp.md.
#pragma once

#include <string>
#include <string_view>

namespace observo::beyla {

// The OTLP shape of a metric, as far as naming cares: monotonic sums get `_total`, gauges
// with unit "1" get `_ratio`.
enum class MetricKind {
  kGauge,
  kMonotonicSum,
  kNonMonotonicSum,
  kHistogram,
  kExponentialHistogram,
  kSummary,
};

// The Prometheus metric name: characters outside [A-Za-z0-9:] split the name into words joined
// by `_`; the unit's word (`s` -> `seconds`, `By` -> `bytes`, `{packets}` -> nothing,
// `By/s` -> `bytes_per_second`) is appended unless a word of the name already equals it;
// `_total` for monotonic sums, `_ratio` for gauges with unit "1" (moved to the end if
// present earlier); a leading digit gets `_` in front. "" when nothing valid remains.
std::string prometheus_metric_name(std::string_view name, std::string_view unit, MetricKind kind);

// The unit part alone ("s" -> "seconds", "By/s" -> "bytes_per_second", "1" -> "").
std::string prometheus_unit(std::string_view unit);

// The Prometheus label name of an attribute key: characters outside [A-Za-z0-9_] become `_`,
// runs of `_` collapse to one, and a name starting with a digit or `_` gets `key_` / `key`
// in front (so the result never starts with the reserved `__`). "" for an empty key.
std::string prometheus_label_name(std::string_view key);

}  // namespace observo::beyla
