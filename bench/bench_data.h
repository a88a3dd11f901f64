// The benchmark data set shared by bench_encoders and bench_http: 100k series in 10 families
// (5 counters with integral values, 5 gauges with fractional ones) x 10k series, each with
// service, endpoint and code labels.
#pragma once

#include <array>
#include <string>

#include "observo/metrics/snapshot.h"

namespace observo::bench {

using metrics::Family;
using metrics::MetricType;
using metrics::Series;
using metrics::Snapshot;

constexpr int kFamilies = 10;
constexpr int kSeriesPerFamily = 10000;

constexpr std::array<const char*, 20> kServices = {
    "checkout", "cart",           "payments",      "inventory", "shipping", "catalog", "search",
    "accounts", "recommendation", "notifications", "pricing",   "reviews",  "auth",    "gateway",
    "billing",  "fraud-check",    "media",         "orders",    "loyalty",  "ads"};
constexpr std::array<const char*, 10> kCodes = {"200", "201", "204", "301", "400",
                                                "401", "403", "404", "500", "503"};
constexpr int kEndpoints = 50;

inline std::string endpoint(int i) {
  static constexpr std::array<const char*, 5> kResources = {"orders", "users", "items", "carts",
                                                            "sessions"};
  return "/api/v" + std::to_string(1 + i % 2) + "/" + kResources[i % 5] + "/" +
         (i % 3 == 0 ? "{id}" : "list") + "/" + std::to_string(i / 10);
}

// The families as observo's sources publish them.
inline Snapshot make_snapshot() {
  Snapshot snapshot;
  for (int f = 0; f < kFamilies; ++f) {
    const bool counter = f < kFamilies / 2;
    Family family;
    family.name = counter ? "http_server_requests_" + std::to_string(f) + "_total"
                          : "http_server_latency_seconds_" + std::to_string(f);
    family.help = counter ? "Requests served, by service, endpoint and status code."
                          : "Mean latency of the last minute, by service, endpoint and code.";
    family.type = counter ? MetricType::kCounter : MetricType::kGauge;
    family.series.reserve(kSeriesPerFamily);
    for (int i = 0; i < kSeriesPerFamily; ++i) {
      Series series;
      const int service = i % static_cast<int>(kServices.size());
      const int code = (i / static_cast<int>(kServices.size())) % static_cast<int>(kCodes.size());
      const int path = i / static_cast<int>(kServices.size() * kCodes.size());
      // Sorted by name, as make_labels() leaves them.
      series.labels = {{"code", kCodes[code]},
                       {"endpoint", endpoint(path % kEndpoints)},
                       {"service", kServices[service]}};
      series.value = counter ? static_cast<double>(1000003LL * (i + 1) % 987654321)
                             : 0.000731 * (i % 997) + 0.0042 * f;
      family.series.push_back(std::move(series));
    }
    snapshot.families.push_back(std::move(family));
  }
  return snapshot;
}

}  // namespace observo::bench
