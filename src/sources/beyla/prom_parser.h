// A parser of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0 text, for the
// scrape client (scraper.h): turns one scraped page into an observo Snapshot so that a target's
// series are re-exposed with their own names and labels.
//
// Written as one pass of string_view scanning (no regex, no per-line allocation besides the
// series it builds), because Beyla pages reach tens of megabytes. The page is checked as a
// whole, like Prometheus does: the first malformed line fails the page with an error that
// names the line ("line 12: label value not quoted") and nothing of it is published.
//
// Mapping to the Snapshot model:
//  - counter: the family is named with `_total` (appended when a 0.0.4 counter lacks it);
//    OpenMetrics `<name>_total` samples are the value, `<name>_created` samples are dropped.
//  - histogram and gaugehistogram: one Series per label set without `le`; finite buckets
//    ascending, the +Inf bucket becomes Series::count when `_count` (`_gcount`) is missing.
//  - summary: one Series per label set without `quantile`; `_sum`, `_count`.
//  - info: a gauge named `<name>_info`; stateset: a gauge; unknown and samples without a TYPE:
//    untyped.
//  - timestamps, exemplars and # UNIT are ignored; anything after `# EOF` is ignored.
// Thread safety: a pure function; call it from any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "observo/common/result.h"
#include "observo/metrics/snapshot.h"

namespace observo::beyla {

struct PromParseLimits {
  std::size_t max_series = 200'000;           // Series in the snapshot, over all families
  std::size_t max_families = 200'000;         // families, including ones with metadata only
  std::size_t max_samples = 4'000'000;        // sample lines (a histogram bucket is one)
  std::size_t max_labels = 256;               // labels on one sample
  std::size_t max_label_value_bytes = 16384;  // bytes of one label value after unescaping
  std::size_t max_name_bytes = 1024;          // metric and label names
};

Result<metrics::Snapshot> parse_prometheus_text(std::string_view page,
                                                const PromParseLimits& limits = {});

}  // namespace observo::beyla
