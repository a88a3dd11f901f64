#include "sources/xray/aggregator.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace observo::xray {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Histogram, bucket_counts, sum, count)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ServiceCounters, requests, errors, faults, throttles, status,
                                   method, client_ip, duration)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UrlCounters, requests, errors, latency_sum_ms, latency_count,
                                   status, method, duration)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UrlServiceCounters, requests, errors, latency_sum_ms,
                                   latency_count, status, method)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SelfCounters, segments_processed, traces_processed,
                                   duplicates_skipped, in_progress_received, inferred_skipped,
                                   invalid_segments, label_overflow)

namespace {

using metrics::Family;
using metrics::Label;
using metrics::MetricType;
using metrics::Series;

constexpr int kCountersVersion = 1;
constexpr const char* kOther = "other";

void observe(Histogram& histogram, double seconds) {
  const auto& bounds = Aggregator::duration_bounds();
  if (histogram.bucket_counts.size() != bounds.size())
    histogram.bucket_counts.assign(bounds.size(), 0);
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      histogram.bucket_counts[i] += 1;
      break;
    }
  }
  histogram.sum += seconds;
  histogram.count += 1;
}

Series histogram_series(metrics::Labels labels, const Histogram& histogram) {
  Series series;
  series.labels = std::move(labels);
  const auto& bounds = Aggregator::duration_bounds();
  double cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (i < histogram.bucket_counts.size()) cumulative += histogram.bucket_counts[i];
    series.buckets.push_back({bounds[i], cumulative});
  }
  series.sum = histogram.sum;
  series.count = histogram.count;
  return series;
}

Series value_series(metrics::Labels labels, double value) {
  Series series;
  series.labels = std::move(labels);
  series.value = value;
  return series;
}

Family family(std::string name, MetricType type, std::string help) {
  Family f;
  f.name = std::move(name);
  f.type = type;
  f.help = std::move(help);
  return f;
}

}  // namespace

const std::vector<double>& Aggregator::duration_bounds() {
  static const std::vector<double> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10};
  return kBounds;
}

double percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

Aggregator::Aggregator(AggregatorOptions options) : options_(options) {}

std::string Aggregator::capped(const std::string& value, std::set<std::string>& seen,
                               std::size_t cap, const char* label) {
  if (seen.count(value) != 0) return value;
  if (seen.size() < cap) {
    seen.insert(value);
    return value;
  }
  self_.label_overflow[label] += 1;
  return kOther;
}

void Aggregator::add(const SegmentRecord& segment) {
  if (segment.in_progress) {
    self_.in_progress_received += 1;
    return;
  }
  if (segment.inferred) {
    self_.inferred_skipped += 1;
    return;
  }
  self_.segments_processed += 1;
  // An independent subsegment (streamed by SDKs with many open subsegments) carries neither the
  // request nor its service's name: it is neither a request nor a known caller.
  if (segment.is_subsegment) return;
  count_request(segment);
  for (const auto& call : segment.calls) count_call(segment.name, call, call.target);
}

void Aggregator::add_trace(std::vector<SegmentRecord> segments) {
  self_.traces_processed += 1;
  // parent id -> the service of the segment it started
  std::unordered_map<std::string, std::string> child_service;
  std::unordered_map<std::string, std::string> owner;  // any (sub)segment id -> service
  for (const auto& s : segments) {
    if (!s.parent_id.empty() && !s.is_subsegment) child_service[s.parent_id] = s.name;
    owner[s.id] = s.name;
    for (const auto& id : s.local_subsegment_ids) owner[id] = s.name;
  }
  for (const auto& s : segments) {
    if (s.in_progress) {
      self_.in_progress_received += 1;
      continue;
    }
    if (s.inferred) {
      self_.inferred_skipped += 1;
      continue;
    }
    self_.segments_processed += 1;
    if (!s.is_subsegment) count_request(s);
    for (const auto& call : s.calls) {
      const auto it = child_service.find(call.id);
      count_call(s.name, call, it != child_service.end() ? it->second : call.target);
    }
    // A segment whose parent is a local (sub)segment of another service: a call without a
    // remote subsegment on the caller's side.
    if (!s.is_subsegment && !s.parent_id.empty()) {
      const auto parent = owner.find(s.parent_id);
      bool via_remote = false;
      for (const auto& other : segments) {
        for (const auto& call : other.calls) via_remote = via_remote || call.id == s.parent_id;
      }
      if (parent != owner.end() && parent->second != s.name && !via_remote) {
        DownstreamCall call{s.parent_id, s.name, s.error, s.fault, s.throttle};
        count_call(parent->second, call, s.name);
      }
    }
  }
}

void Aggregator::count_request(const SegmentRecord& segment) {
  const bool error = segment.error || (segment.status >= 400 && segment.status < 500);
  const bool fault = segment.fault || segment.status >= 500;
  const bool throttle = segment.throttle || segment.status == 429;
  const double seconds = segment.duration_seconds();
  const double ms = segment.duration_ms();
  const std::string status = segment.status != 0 ? std::to_string(segment.status) : "";

  auto& service = services_[segment.name];
  service.requests += 1;
  service.errors += error ? 1 : 0;
  service.faults += fault ? 1 : 0;
  service.throttles += throttle ? 1 : 0;
  if (!status.empty()) service.status[status] += 1;
  if (!segment.method.empty()) service.method[segment.method] += 1;
  if (!segment.client_ip.empty()) {
    service.client_ip[capped(segment.client_ip, client_ip_values_, options_.max_client_ips,
                             "client_ip")] += 1;
  }
  observe(service.duration, seconds);

  auto& window = window_services_[segment.name];
  if (window.samples_ms.size() < options_.max_window_samples) window.samples_ms.push_back(ms);
  window.sum_ms += ms;
  window.count += 1;
  window.errors += error ? 1 : 0;
  window.faults += fault ? 1 : 0;
  window.throttles += throttle ? 1 : 0;

  if (segment.url.empty()) return;
  const auto url = capped(normalize_url(segment.url, options_.url_templating), url_values_,
                          options_.max_urls, "url");
  const bool url_error = error || fault;
  auto& u = urls_[url];
  u.requests += 1;
  u.errors += url_error ? 1 : 0;
  u.latency_sum_ms += ms;
  u.latency_count += 1;
  if (!status.empty()) u.status[status] += 1;
  if (!segment.method.empty()) u.method[segment.method] += 1;
  observe(u.duration, seconds);
  auto& us = url_services_[{url, segment.name}];
  us.requests += 1;
  us.errors += url_error ? 1 : 0;
  us.latency_sum_ms += ms;
  us.latency_count += 1;
  if (!status.empty()) us.status[status] += 1;
  if (!segment.method.empty()) us.method[segment.method] += 1;
  auto& uw = window_urls_[url];
  if (uw.samples_ms.size() < options_.max_window_samples) uw.samples_ms.push_back(ms);
  uw.sum_ms += ms;
  uw.count += 1;
  uw.errors += url_error ? 1 : 0;
}

void Aggregator::count_call(const std::string& source, const DownstreamCall& call,
                            const std::string& target) {
  if (target.empty() || target == source) return;
  dependencies_[{source, target}] += 1;
  auto& window = window_dependencies_[{source, target}];
  window.calls += 1;
  window.failures += (call.error || call.fault || call.throttle) ? 1 : 0;
}

void Aggregator::close_window() {
  last_services_ = std::move(window_services_);
  last_urls_ = std::move(window_urls_);
  last_dependencies_ = std::move(window_dependencies_);
  window_services_.clear();
  window_urls_.clear();
  window_dependencies_.clear();
}

metrics::Snapshot Aggregator::snapshot() const {
  metrics::Snapshot snapshot;
  auto& out = snapshot.families;
  using enum MetricType;

  // The earlier exporter's service families (14).
  auto requests =
      family("xray_service_requests_total", kCounter, "Segments (requests) per service.");
  auto errors = family("xray_service_errors_total", kCounter,
                       "Requests with the error flag or a 4xx status, per service.");
  auto faults = family("xray_service_faults_total", kCounter,
                       "Requests with the fault flag or a 5xx status, per service.");
  auto throttles = family("xray_service_throttles_total", kCounter,
                          "Requests with the throttle flag or status 429, per service.");
  auto errors_count =
      family("xray_service_errors_count", kGauge, "Errors per service in the last window.");
  auto faults_count =
      family("xray_service_faults_count", kGauge, "Faults per service in the last window.");
  auto throttles_count =
      family("xray_service_throttles_count", kGauge, "Throttles per service in the last window.");
  auto avg = family("xray_service_latency_avg_ms", kGauge,
                    "Mean segment duration (ms) per service in the last window.");
  auto p50 = family("xray_service_latency_p50_ms", kGauge,
                    "Median segment duration (ms, nearest rank) per service in the last window.");
  auto p90 =
      family("xray_service_latency_p90_ms", kGauge,
             "90th percentile segment duration (ms, nearest rank) per service in the last window.");
  auto p99 =
      family("xray_service_latency_p99_ms", kGauge,
             "99th percentile segment duration (ms, nearest rank) per service in the last window.");
  auto status =
      family("xray_service_status_total", kCounter, "Requests per service and HTTP status code.");
  auto method =
      family("xray_service_method_total", kCounter, "Requests per service and HTTP method.");
  auto client_ip =
      family("xray_service_client_ip_total", kCounter,
             "Requests per service and client IP (capped; excess in client_ip=\"other\").");
  auto service_hist =
      family("xray_service_request_duration_seconds", kHistogram, "Segment duration per service.");
  for (const auto& [name, c] : services_) {
    const metrics::Labels labels{{"service", name}};
    requests.series.push_back(value_series(labels, c.requests));
    errors.series.push_back(value_series(labels, c.errors));
    faults.series.push_back(value_series(labels, c.faults));
    throttles.series.push_back(value_series(labels, c.throttles));
    for (const auto& [code, n] : c.status)
      status.series.push_back(value_series({{"service", name}, {"status_code", code}}, n));
    for (const auto& [m, n] : c.method)
      method.series.push_back(value_series({{"method", m}, {"service", name}}, n));
    for (const auto& [ip, n] : c.client_ip)
      client_ip.series.push_back(value_series({{"client_ip", ip}, {"service", name}}, n));
    service_hist.series.push_back(histogram_series(labels, c.duration));
  }
  for (const auto& [name, w] : last_services_) {
    const metrics::Labels labels{{"service", name}};
    errors_count.series.push_back(value_series(labels, w.errors));
    faults_count.series.push_back(value_series(labels, w.faults));
    throttles_count.series.push_back(value_series(labels, w.throttles));
    avg.series.push_back(value_series(labels, w.count > 0 ? w.sum_ms / w.count : 0));
    p50.series.push_back(value_series(labels, percentile(w.samples_ms, 0.50)));
    p90.series.push_back(value_series(labels, percentile(w.samples_ms, 0.90)));
    p99.series.push_back(value_series(labels, percentile(w.samples_ms, 0.99)));
  }
  for (auto* f :
       {&requests, &errors, &faults, &throttles, &errors_count, &faults_count, &throttles_count,
        &avg, &p50, &p90, &p99, &status, &method, &client_ip, &service_hist}) {
    out.push_back(std::move(*f));
  }

  // URL families (8).
  auto url_requests = family("xray_url_requests_total", kCounter,
                             "Requests per URL (query string stripped; capped).");
  auto url_errors = family("xray_url_errors_total", kCounter,
                           "Requests with an error, fault or status >= 400, per URL.");
  auto url_error_rate = family("xray_url_error_rate", kGauge,
                               "Share of failed requests (0..1) per URL in the last window.");
  auto url_avg =
      family("xray_url_latency_avg_ms", kGauge, "Mean duration (ms) per URL in the last window.");
  auto url_sum = family("xray_url_latency_sum_ms", kGauge,
                        "Sum of durations (ms) per URL since the state began (monotonic).");
  auto url_count = family("xray_url_latency_count", kGauge,
                          "Durations summed in xray_url_latency_sum_ms (monotonic).");
  auto url_status =
      family("xray_url_status_total", kCounter, "Requests per URL and HTTP status code.");
  auto url_method = family("xray_url_method_total", kCounter, "Requests per URL and HTTP method.");
  auto url_hist =
      family("xray_url_request_duration_seconds", kHistogram, "Segment duration per URL.");
  for (const auto& [url, c] : urls_) {
    const metrics::Labels labels{{"url", url}};
    url_requests.series.push_back(value_series(labels, c.requests));
    url_errors.series.push_back(value_series(labels, c.errors));
    url_sum.series.push_back(value_series(labels, c.latency_sum_ms));
    url_count.series.push_back(value_series(labels, c.latency_count));
    for (const auto& [code, n] : c.status)
      url_status.series.push_back(value_series({{"status_code", code}, {"url", url}}, n));
    for (const auto& [m, n] : c.method)
      url_method.series.push_back(value_series({{"method", m}, {"url", url}}, n));
    url_hist.series.push_back(histogram_series(labels, c.duration));
  }
  for (const auto& [url, w] : last_urls_) {
    const metrics::Labels labels{{"url", url}};
    url_error_rate.series.push_back(value_series(labels, w.count > 0 ? w.errors / w.count : 0));
    url_avg.series.push_back(value_series(labels, w.count > 0 ? w.sum_ms / w.count : 0));
  }
  for (auto* f : {&url_requests, &url_errors, &url_error_rate, &url_avg, &url_sum, &url_count,
                  &url_status, &url_method, &url_hist}) {
    out.push_back(std::move(*f));
  }

  // URL x service families (7).
  auto us_total = family("xray_url_service_total", kCounter, "Requests per URL and service.");
  auto us_requests = family("xray_url_service_requests_total", kCounter,
                            "Requests per URL and service (same value as xray_url_service_total, "
                            "kept for compatibility).");
  auto us_errors =
      family("xray_url_service_errors_total", kCounter, "Failed requests per URL and service.");
  auto us_sum = family("xray_url_service_latency_sum_ms", kGauge,
                       "Sum of durations (ms) per URL and service (monotonic).");
  auto us_count = family("xray_url_service_latency_count", kGauge,
                         "Durations summed in xray_url_service_latency_sum_ms (monotonic).");
  auto us_status = family("xray_url_service_status_total", kCounter,
                          "Requests per URL, service and HTTP status code.");
  auto us_method = family("xray_url_service_method_total", kCounter,
                          "Requests per URL, service and HTTP method.");
  for (const auto& [key, c] : url_services_) {
    const auto& [url, service] = key;
    const metrics::Labels labels{{"service", service}, {"url", url}};
    us_total.series.push_back(value_series(labels, c.requests));
    us_requests.series.push_back(value_series(labels, c.requests));
    us_errors.series.push_back(value_series(labels, c.errors));
    us_sum.series.push_back(value_series(labels, c.latency_sum_ms));
    us_count.series.push_back(value_series(labels, c.latency_count));
    for (const auto& [code, n] : c.status)
      us_status.series.push_back(
          value_series({{"service", service}, {"status_code", code}, {"url", url}}, n));
    for (const auto& [m, n] : c.method)
      us_method.series.push_back(
          value_series({{"method", m}, {"service", service}, {"url", url}}, n));
  }
  for (auto* f :
       {&us_total, &us_requests, &us_errors, &us_sum, &us_count, &us_status, &us_method}) {
    out.push_back(std::move(*f));
  }

  // Dependencies (2).
  auto dep_total = family("xray_service_dependency_total", kCounter,
                          "Calls from a service (source) to a downstream service (target).");
  auto dep_health = family(
      "xray_service_dependency_health", kGauge,
      "Share of calls without error, fault or throttle (0..1) per dependency in the last window.");
  for (const auto& [key, n] : dependencies_) {
    dep_total.series.push_back(value_series({{"source", key.first}, {"target", key.second}}, n));
  }
  for (const auto& [key, w] : last_dependencies_) {
    dep_health.series.push_back(value_series({{"source", key.first}, {"target", key.second}},
                                             w.calls > 0 ? 1.0 - w.failures / w.calls : 1.0));
  }
  out.push_back(std::move(dep_total));
  out.push_back(std::move(dep_health));

  // Self-metrics.
  out.push_back(family("observo_xray_segments_processed_total", kCounter,
                       "Completed segments turned into metrics."));
  out.back().series.push_back(value_series({}, self_.segments_processed));
  out.push_back(family("observo_xray_traces_processed_total", kCounter,
                       "Traces turned into metrics (API path)."));
  out.back().series.push_back(value_series({}, self_.traces_processed));
  out.push_back(family("observo_xray_duplicates_skipped_total", kCounter,
                       "Segments or traces skipped because they were already counted."));
  out.back().series.push_back(value_series({}, self_.duplicates_skipped));
  out.push_back(family("observo_xray_in_progress_segments_total", kCounter,
                       "In-progress segment updates received (counted when they complete)."));
  out.back().series.push_back(value_series({}, self_.in_progress_received));
  out.push_back(
      family("observo_xray_inferred_segments_skipped_total", kCounter,
             "Inferred segments (built by X-Ray from subsegments) not counted as requests."));
  out.back().series.push_back(value_series({}, self_.inferred_skipped));
  out.push_back(family("observo_xray_invalid_segments_total", kCounter,
                       "Segment documents that could not be parsed."));
  out.back().series.push_back(value_series({}, self_.invalid_segments));
  auto overflow = family("observo_xray_label_overflow_total", kCounter,
                         "Label values folded into \"other\" because of the url / client_ip caps.");
  for (const char* label : {"client_ip", "url"}) {
    const auto it = self_.label_overflow.find(label);
    overflow.series.push_back(
        value_series({{"label", label}}, it == self_.label_overflow.end() ? 0 : it->second));
  }
  out.push_back(std::move(overflow));
  for (auto& f : out) {
    for (auto& s : f.series) s.labels = metrics::make_labels(std::move(s.labels));
  }
  return snapshot;
}

std::string Aggregator::save_counters() const {
  nlohmann::json doc;
  doc["version"] = kCountersVersion;
  doc["services"] = services_;
  doc["urls"] = urls_;
  doc["url_services"] = url_services_;
  doc["dependencies"] = dependencies_;
  doc["self"] = self_;
  doc["url_values"] = url_values_;
  doc["client_ip_values"] = client_ip_values_;
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<void> Aggregator::load_counters(std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return make_error("counters: not JSON");
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != kCountersVersion) {
    return make_error("counters: unknown version");
  }
  try {
    auto services = doc.at("services").get<decltype(services_)>();
    auto urls = doc.at("urls").get<decltype(urls_)>();
    auto url_services = doc.at("url_services").get<decltype(url_services_)>();
    auto dependencies = doc.at("dependencies").get<decltype(dependencies_)>();
    auto self = doc.at("self").get<SelfCounters>();
    auto url_values = doc.at("url_values").get<std::set<std::string>>();
    auto client_ip_values = doc.at("client_ip_values").get<std::set<std::string>>();
    services_ = std::move(services);
    urls_ = std::move(urls);
    url_services_ = std::move(url_services);
    dependencies_ = std::move(dependencies);
    self_ = std::move(self);
    url_values_ = std::move(url_values);
    client_ip_values_ = std::move(client_ip_values);
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("counters: ") + e.what());
  }
  return {};
}

}  // namespace observo::xray
