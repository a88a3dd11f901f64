// Exposition encoders: observo writes its own, because prometheus-cpp 1.0.1 neither escapes
// HELP text nor speaks OpenMetrics. All four write into one output string, format numbers
// independently of the process locale, and never allocate per sample beyond the output buffer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observo/metrics/hub.h"

namespace observo::metrics {

enum class Format { kPrometheus, kOpenMetrics, kJson, kCsv };

std::string_view content_type(Format format);
std::string_view format_name(Format format);  // "prometheus", "openmetrics", "json", "csv"

// "prometheus" (also "text"), "openmetrics", "json", "csv"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);

// Picks a format from an Accept header by quality; what Prometheus sends picks OpenMetrics.
// No header, or nothing observo can produce, picks Prometheus text 0.0.4.
Format negotiate(std::string_view accept);

// Appends the encoding of `exposition` to `out`.
void encode(Format format, const Exposition& exposition, std::string& out);
void encode_prometheus(const Exposition& exposition, std::string& out);
void encode_openmetrics(const Exposition& exposition, std::string& out);
void encode_json(const Exposition& exposition, std::string& out);
void encode_csv(const Exposition& exposition, std::string& out);

// Number formatting shared by the encoders: integers exactly up to 2^53, shortest round-trip
// representation otherwise, NaN, +Inf, -Inf.
void append_number(std::string& out, double value);

// True when an Accept-Encoding header allows gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);
// gzip (RFC 1952) of `data`.
std::string gzip_compress(std::string_view data);

}  // namespace observo::metrics
