#include "sources/beyla/metric_store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "sources/beyla/attributes.h"
#include "sources/beyla/naming.h"
#include "sources/beyla/store_labels.h"
#include "sources/beyla/store_series.h"

namespace observo::beyla {
namespace {

namespace otm = opentelemetry::proto::metrics::v1;
using metrics::MetricType;

constexpr std::uint32_t kNoRecordedValue = 1;
constexpr std::size_t kMaxReasons = 3;
constexpr std::string_view kTargetInfo = "target_info";

std::string_view kind_text(MetricType type, bool exponential) {
  if (type == MetricType::kHistogram && exponential) return "exponential histogram";
  return metrics::type_name(type);
}

// One request's bookkeeping.
struct Batch {
  MetricStore::Clock::time_point now;
  IngestOutcome outcome;
  std::size_t reasons = 0;

  void reject(std::int64_t points, std::string_view reason) {
    if (points <= 0) return;
    outcome.rejected += points;
    if (reasons >= kMaxReasons || outcome.error_message.find(reason) != std::string::npos) return;
    if (!outcome.error_message.empty()) outcome.error_message += "; ";
    outcome.error_message.append(reason);
    ++reasons;
  }
};

// The labels a resource gives every series, and what its target_info series carries.
struct ResourceContext {
  metrics::Labels identity;                               // job, instance
  metrics::Labels promoted;                               // StoreOptions::resource_attributes
  std::vector<std::pair<std::string, std::string>> info;  // target_info attributes
  bool want_info = false;
};

}  // namespace

struct MetricStore::State {
  explicit State(StoreOptions o) : options(std::move(o)) {}

  std::mutex mutex;
  StoreOptions options;
  std::map<std::string, StoredFamily, std::less<>> families;
  std::size_t series = 0;
  std::uint64_t type_conflicts = 0;
  std::uint64_t limit_rejections = 0;
  std::uint64_t version = 1;
  std::uint64_t snapshot_version = 0;
  metrics::SnapshotPtr cached;
  Clock::time_point next_sweep = Clock::time_point::max();
  LabelNameCache names;
  PointLabels point;
  PointScratch scratch;

  // Series expiry -----------------------------------------------------------------------------

  void sweep(Clock::time_point now) {
    if (now < next_sweep) return;
    next_sweep = Clock::time_point::max();
    for (auto f = families.begin(); f != families.end();) {
      auto& map = f->second.series;
      for (auto s = map.begin(); s != map.end();) {
        const auto deadline = s->second.updated + options.expiration;
        if (deadline <= now) {
          s = map.erase(s);
          --series;
          ++version;
        } else {
          next_sweep = std::min(next_sweep, deadline);
          ++s;
        }
      }
      f = map.empty() ? families.erase(f) : std::next(f);
    }
  }

  // Families and series -----------------------------------------------------------------------

  // The family `name` for this type, or nullptr (and the points rejected) on a type conflict.
  StoredFamily* family(const std::string& name, MetricType type, bool exponential,
                       const std::string& help, std::int64_t points, Batch& batch) {
    auto it = families.find(name);
    if (it == families.end()) {
      it = families.emplace(name, StoredFamily{}).first;
      it->second.type = type;
      it->second.exponential = exponential;
    } else if (it->second.type != type || it->second.exponential != exponential) {
      ++type_conflicts;
      ++version;
      const std::string_view held = kind_text(it->second.type, it->second.exponential);
      batch.reject(points, "type conflict: " + name + (held.front() == 'e' ? " is an " : " is a ") +
                               std::string(held) + ", the " +
                               std::string(kind_text(type, exponential)) +
                               " of the same name is dropped");
      return nullptr;
    }
    if (it->second.help.empty()) it->second.help = help;
    return &it->second;
  }

  void drop_if_empty(const std::string& name) {
    const auto it = families.find(name);
    if (it != families.end() && it->second.series.empty()) families.erase(it);
  }

  // The series the current `point` labels name; created when new and under the limit.
  StoredSeries* series_for(StoredFamily& f, const std::string& key, Batch& batch, bool& created,
                           std::int64_t points = 1) {
    created = false;
    if (const auto it = f.series.find(key); it != f.series.end()) return &it->second;
    if (series >= options.max_series) {
      ++limit_rejections;
      ++version;
      batch.reject(points, "series limit (" + std::to_string(options.max_series) +
                               ") reached, points of new series are rejected");
      return nullptr;
    }
    StoredSeries& s = f.series[key];
    ++series;
    next_sweep = std::min(next_sweep, batch.now + options.expiration);
    created = true;
    return &s;
  }

  bool erase_point_series(StoredFamily& f) {
    const auto it = f.series.find(point.key());
    if (it == f.series.end()) return false;
    f.series.erase(it);
    --series;
    ++version;
    return true;
  }

  // Builds the labels of a point; false (and the point rejected) when there are too many.
  bool labels_for(const Attributes& attributes, const metrics::Labels& fixed,
                  const ResourceContext& resource, std::string_view reserved, Batch& batch) {
    if (point.build(attributes, fixed, resource.promoted, reserved, names)) return true;
    batch.reject(1, "more than " + std::to_string(kMaxLabelsPerSeries) + " labels on a point");
    return false;
  }

  // Data points ---------------------------------------------------------------------------------

  // Every point type goes the same way: validity, labels, no-recorded-value deletion, the
  // series (new ones under the limit), then the type's own update rule (store_series.cpp).
  template <typename Point>
  void take_points(StoredFamily& f, const google::protobuf::RepeatedPtrField<Point>& data,
                   bool delta, std::string_view reserved, const metrics::Labels& fixed,
                   const ResourceContext& resource, Batch& batch) {
    for (const Point& p : data) {
      const bool no_value = (p.flags() & kNoRecordedValue) != 0;
      if (const char* why = no_value ? nullptr : invalid_point(p)) {
        batch.reject(1, why);
        continue;
      }
      if (!labels_for(p.attributes(), fixed, resource, reserved, batch)) continue;
      if (no_value) {
        erase_point_series(f);
        ++batch.outcome.accepted;
        continue;
      }
      bool created = false;
      StoredSeries* s = series_for(f, point.key(), batch, created);
      if (s == nullptr) continue;
      if (created) s->labels = point.labels();
      switch (apply_point(*s, p, created, delta, scratch)) {
        case PointResult::kApplied:
          s->updated = batch.now;
          ++version;
          ++batch.outcome.accepted;
          break;
        case PointResult::kIgnored:
          ++batch.outcome.accepted;
          break;
        case PointResult::kMisaligned:
          batch.reject(1, kMisalignedReason);
          break;
      }
    }
  }

  // Metrics ---------------------------------------------------------------------------------------

  static std::int64_t point_count(const otm::Metric& m) {
    switch (m.data_case()) {
      case otm::Metric::kGauge:
        return m.gauge().data_points_size();
      case otm::Metric::kSum:
        return m.sum().data_points_size();
      case otm::Metric::kHistogram:
        return m.histogram().data_points_size();
      case otm::Metric::kExponentialHistogram:
        return m.exponential_histogram().data_points_size();
      case otm::Metric::kSummary:
        return m.summary().data_points_size();
      case otm::Metric::DATA_NOT_SET:
        break;
    }
    return 0;
  }

  void metric(const otm::Metric& m, const metrics::Labels& fixed, ResourceContext& resource,
              Batch& batch) {
    const std::int64_t points = point_count(m);
    if (points == 0) return;
    MetricKind kind = MetricKind::kGauge;
    MetricType type = MetricType::kGauge;
    bool delta = false;
    otm::AggregationTemporality temporality = otm::AGGREGATION_TEMPORALITY_CUMULATIVE;
    switch (m.data_case()) {
      case otm::Metric::kGauge:
        break;
      case otm::Metric::kSum:
        temporality = m.sum().aggregation_temporality();
        kind = m.sum().is_monotonic() ? MetricKind::kMonotonicSum : MetricKind::kNonMonotonicSum;
        type = m.sum().is_monotonic() ? MetricType::kCounter : MetricType::kGauge;
        break;
      case otm::Metric::kHistogram:
        temporality = m.histogram().aggregation_temporality();
        kind = MetricKind::kHistogram;
        type = MetricType::kHistogram;
        break;
      case otm::Metric::kExponentialHistogram:
        temporality = m.exponential_histogram().aggregation_temporality();
        kind = MetricKind::kExponentialHistogram;
        type = MetricType::kHistogram;
        break;
      case otm::Metric::kSummary:
        kind = MetricKind::kSummary;
        type = MetricType::kSummary;
        break;
      case otm::Metric::DATA_NOT_SET:
        return;
    }
    if (temporality == otm::AGGREGATION_TEMPORALITY_DELTA) {
      delta = true;
    } else if (temporality != otm::AGGREGATION_TEMPORALITY_CUMULATIVE) {
      batch.reject(points, "aggregation temporality unspecified");
      return;
    }
    const std::string name = prometheus_metric_name(m.name(), m.unit(), kind);
    if (name.empty()) {
      batch.reject(points, "metric name yields no valid Prometheus name");
      return;
    }
    if (name == kTargetInfo && type == MetricType::kGauge) {
      // target.info: its attributes join the resource's one target_info series.
      const auto& data = m.has_gauge() ? m.gauge().data_points() : m.sum().data_points();
      for (const auto& p : data) {
        for (const auto& kv : p.attributes()) {
          resource.info.emplace_back(kv.key(), attribute_text(kv.value()));
        }
      }
      resource.want_info = true;
      batch.outcome.accepted += points;
      return;
    }
    StoredFamily* f = family(name, type, kind == MetricKind::kExponentialHistogram, m.description(),
                             points, batch);
    if (f == nullptr) return;
    switch (m.data_case()) {
      case otm::Metric::kGauge:
        take_points(*f, m.gauge().data_points(), false, {}, fixed, resource, batch);
        break;
      case otm::Metric::kSum:
        take_points(*f, m.sum().data_points(), delta, {}, fixed, resource, batch);
        break;
      case otm::Metric::kHistogram:
        take_points(*f, m.histogram().data_points(), delta, "le", fixed, resource, batch);
        break;
      case otm::Metric::kExponentialHistogram:
        take_points(*f, m.exponential_histogram().data_points(), delta, "le", fixed, resource,
                    batch);
        break;
      case otm::Metric::kSummary:
        take_points(*f, m.summary().data_points(), false, "quantile", fixed, resource, batch);
        break;
      case otm::Metric::DATA_NOT_SET:
        break;
    }
    drop_if_empty(name);
  }

  ResourceContext resource_context(const Attributes& attributes) {
    ResourceContext r;
    std::string service_name, service_namespace, instance;
    bool has_name = false;
    for (const auto& kv : attributes) {
      const std::string& key = kv.key();
      if (key == "service.name") {
        service_name = attribute_text(kv.value());
        has_name = true;
      } else if (key == "service.namespace") {
        service_namespace = attribute_text(kv.value());
      } else if (key == "service.instance.id") {
        instance = attribute_text(kv.value());
      } else {
        r.info.emplace_back(key, attribute_text(kv.value()));
      }
    }
    r.want_info = !r.info.empty();
    std::string job = has_name && !service_namespace.empty()
                          ? service_namespace + "/" + service_name
                          : service_name;
    truncate_label_value(instance);
    truncate_label_value(job);
    if (!instance.empty()) r.identity.push_back({"instance", std::move(instance)});
    if (!job.empty()) r.identity.push_back({"job", std::move(job)});
    if (!options.resource_attributes.empty()) {
      std::vector<std::pair<std::string, std::string>> promoted;
      for (const auto& key : options.resource_attributes) {
        if (const auto* value = find_attribute(attributes, key)) {
          promoted.emplace_back(key, attribute_text(*value));
        }
      }
      r.promoted = labels_from_pairs(std::move(promoted), names);
    }
    return r;
  }

  void target_info(ResourceContext& resource, Batch& batch) {
    if (!resource.want_info) return;
    const metrics::Labels labels =
        overlay(labels_from_pairs(std::move(resource.info), names), resource.identity);
    StoredFamily* f =
        family(std::string(kTargetInfo), MetricType::kGauge, false, "Target metadata", 0, batch);
    if (f == nullptr) return;
    if (labels.size() <= kMaxLabelsPerSeries) {
      bool created = false;
      if (StoredSeries* s = series_for(*f, labels_key(resource.identity), batch, created, 0)) {
        s->labels = labels;
        s->value = 1;
        s->updated = batch.now;
        ++version;
      }
    }
    drop_if_empty(std::string(kTargetInfo));
  }

  void ingest(const ExportMetricsServiceRequest& request, Batch& batch) {
    names.trim();
    sweep(batch.now);
    for (const auto& rm : request.resource_metrics()) {
      ResourceContext resource = resource_context(rm.resource().attributes());
      for (const auto& sm : rm.scope_metrics()) {
        metrics::Labels fixed = resource.identity;
        if (options.scope_labels) {
          metrics::Labels scope;
          if (!sm.scope().name().empty()) scope.push_back({"otel_scope_name", sm.scope().name()});
          if (!sm.scope().version().empty()) {
            scope.push_back({"otel_scope_version", sm.scope().version()});
          }
          for (auto& label : scope) truncate_label_value(label.value);
          fixed = overlay(fixed, scope);
        }
        for (const auto& m : sm.metrics()) metric(m, fixed, resource, batch);
      }
      target_info(resource, batch);
    }
  }

  // Snapshot ------------------------------------------------------------------------------------

  metrics::SnapshotPtr build() {
    auto snapshot = std::make_shared<metrics::Snapshot>();
    snapshot->families.reserve(families.size() + 3);
    std::vector<const std::pair<const std::string, StoredSeries>*> order;
    for (const auto& [name, stored] : families) {
      metrics::Family family;
      family.name = name;
      family.help = stored.help;
      family.type = stored.type;
      family.series.reserve(stored.series.size());
      // Ordered by identity key: deterministic output, cheaper than comparing label vectors.
      order.clear();
      for (const auto& entry : stored.series) order.push_back(&entry);
      std::sort(order.begin(), order.end(),
                [](const auto* a, const auto* b) { return a->first < b->first; });
      for (const auto* entry : order) {
        family.series.push_back(to_series(entry->second, stored.type));
      }
      snapshot->families.push_back(std::move(family));
    }
    const auto own = [&](std::string name, std::string help, MetricType type, double value) {
      metrics::Family family;
      family.name = std::move(name);
      family.help = std::move(help);
      family.type = type;
      family.series.push_back({});
      family.series.back().value = value;
      snapshot->families.push_back(std::move(family));
    };
    own("observo_otlp_series", "OTLP metric series held (translated, not yet expired)",
        MetricType::kGauge, static_cast<double>(series));
    own("observo_otlp_type_conflicts_total",
        "OTLP metrics dropped because their Prometheus name is held by another type",
        MetricType::kCounter, static_cast<double>(type_conflicts));
    own("observo_otlp_series_limit_rejections_total",
        "OTLP data points rejected because they would create a series over the series limit",
        MetricType::kCounter, static_cast<double>(limit_rejections));
    std::sort(snapshot->families.begin(), snapshot->families.end(),
              [](const metrics::Family& a, const metrics::Family& b) { return a.name < b.name; });
    return snapshot;
  }
};

MetricStore::MetricStore(StoreOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

MetricStore::~MetricStore() = default;

IngestOutcome MetricStore::ingest(const ExportMetricsServiceRequest& request) {
  return ingest(request, Clock::now());
}

IngestOutcome MetricStore::ingest(const ExportMetricsServiceRequest& request,
                                  Clock::time_point now) {
  Batch batch;
  batch.now = now;
  std::lock_guard lock(state_->mutex);
  state_->ingest(request, batch);
  return std::move(batch.outcome);
}

metrics::SnapshotPtr MetricStore::snapshot() { return snapshot(Clock::now()); }

metrics::SnapshotPtr MetricStore::snapshot(Clock::time_point now) {
  std::lock_guard lock(state_->mutex);
  state_->sweep(now);
  if (!state_->cached || state_->snapshot_version != state_->version) {
    state_->cached = state_->build();
    state_->snapshot_version = state_->version;
  }
  return state_->cached;
}

std::size_t MetricStore::series_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->series;
}

}  // namespace observo::beyla
