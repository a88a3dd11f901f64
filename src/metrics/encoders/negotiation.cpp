// Which format a client gets: the names and media types of the four formats, Accept and
// Accept-Encoding negotiation, and the dispatch from a Format to its encoder.
#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string_view>

#include "metrics/encoders/header_list.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

using detail::iequals;

constexpr std::size_t kFormatCount = 4;

// How closely a media range names a format; a more specific range overrides a less specific
// one for that format (RFC 9110 section 12.5.1), so `text/plain;q=0, */*` excludes text/plain.
enum Specificity : int { kNoMatch = -1, kAnyType = 0, kAnySubtype = 1, kExact = 2 };

struct MediaRange {
  std::string_view type;
  std::string_view subtype;
  std::optional<std::string_view> version;
  double q = 1;
};

// nullopt when the range is malformed or its q-value is not a valid qvalue.
std::optional<MediaRange> parse_media_range(std::string_view text) {
  std::string_view rest = text;
  const std::string_view media_type = detail::trim(detail::next_item(rest, ';'));
  const std::size_t slash = media_type.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  MediaRange range{detail::trim(media_type.substr(0, slash)),
                   detail::trim(media_type.substr(slash + 1)), std::nullopt, 1};
  if (range.type.empty() || range.subtype.empty()) return std::nullopt;
  while (!rest.empty()) {
    const detail::Parameter parameter = detail::parse_parameter(detail::next_item(rest, ';'));
    if (iequals(parameter.name, "q")) {
      const auto q = detail::parse_qvalue(parameter.value);
      if (!q) return std::nullopt;
      range.q = *q;
    } else if (iequals(parameter.name, "version")) {
      range.version = parameter.value;
    }
  }
  return range;
}

bool version_in(const std::optional<std::string_view>& version,
                std::initializer_list<std::string_view> accepted) {
  if (!version) return true;
  for (std::string_view v : accepted) {
    if (*version == v) return true;
  }
  return false;
}

int match(Format format, const MediaRange& range) {
  const bool any_type = range.type == "*" && range.subtype == "*";
  switch (format) {
    case Format::kPrometheus:
      // Wildcards pick the format every Prometheus-compatible scraper can read. Text 1.0.0
      // (Prometheus 3) is a superset of 0.0.4, so a 0.0.4 body answers it.
      if (any_type) return kAnyType;
      if (!iequals(range.type, "text")) return kNoMatch;
      if (range.subtype == "*") return kAnySubtype;
      return iequals(range.subtype, "plain") && version_in(range.version, {"0.0.4", "1.0.0"})
                 ? kExact
                 : kNoMatch;
    case Format::kOpenMetrics:
      return iequals(range.type, "application") && iequals(range.subtype, "openmetrics-text") &&
                     version_in(range.version, {"1.0.0", "0.0.1"})
                 ? kExact
                 : kNoMatch;
    case Format::kJson:
      return iequals(range.type, "application") && iequals(range.subtype, "json") ? kExact
                                                                                  : kNoMatch;
    case Format::kCsv:
      return iequals(range.type, "text") && iequals(range.subtype, "csv") ? kExact : kNoMatch;
  }
  return kNoMatch;
}

struct Candidate {
  int specificity = kNoMatch;
  double q = 0;
  std::size_t position = std::numeric_limits<std::size_t>::max();
};

constexpr std::array<Format, kFormatCount> kFormats = {Format::kPrometheus, Format::kOpenMetrics,
                                                       Format::kJson, Format::kCsv};

}  // namespace

std::string_view content_type(Format format) {
  switch (format) {
    case Format::kPrometheus:
      return "text/plain; version=0.0.4; charset=utf-8";
    case Format::kOpenMetrics:
      return "application/openmetrics-text; version=1.0.0; charset=utf-8";
    case Format::kJson:
      return "application/json";
    case Format::kCsv:
      return "text/csv; charset=utf-8";
  }
  return "text/plain; version=0.0.4; charset=utf-8";
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::kPrometheus:
      return "prometheus";
    case Format::kOpenMetrics:
      return "openmetrics";
    case Format::kJson:
      return "json";
    case Format::kCsv:
      return "csv";
  }
  return "prometheus";
}

std::optional<Format> parse_format(std::string_view name) {
  if (iequals(name, "prometheus") || iequals(name, "text")) return Format::kPrometheus;
  if (iequals(name, "openmetrics")) return Format::kOpenMetrics;
  if (iequals(name, "json")) return Format::kJson;
  if (iequals(name, "csv")) return Format::kCsv;
  return std::nullopt;
}

Format negotiate(std::string_view accept) {
  std::array<Candidate, kFormatCount> candidates{};
  std::string_view rest = accept;
  for (std::size_t position = 0; !rest.empty(); ++position) {
    const auto range = parse_media_range(detail::next_item(rest, ','));
    if (!range) continue;
    for (std::size_t f = 0; f < kFormatCount; ++f) {
      const int specificity = match(kFormats[f], *range);
      Candidate& candidate = candidates[f];
      if (specificity == kNoMatch || specificity < candidate.specificity) continue;
      if (specificity == candidate.specificity && range->q <= candidate.q) continue;
      candidate = {specificity, range->q, position};
    }
  }
  // Highest quality wins; on a tie the range listed first; q=0 means "not acceptable".
  std::optional<std::size_t> best;
  for (std::size_t f = 0; f < kFormatCount; ++f) {
    const Candidate& c = candidates[f];
    if (c.specificity == kNoMatch || c.q <= 0) continue;
    if (!best || c.q > candidates[*best].q ||
        (c.q == candidates[*best].q && c.position < candidates[*best].position)) {
      best = f;
    }
  }
  return best ? kFormats[*best] : Format::kPrometheus;
}

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<double> gzip_q;
  std::optional<double> any_q;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    std::string_view element = detail::next_item(rest, ',');
    const std::string_view coding = detail::trim(detail::next_item(element, ';'));
    double q = 1;
    bool valid = true;
    while (!element.empty()) {
      const detail::Parameter parameter = detail::parse_parameter(detail::next_item(element, ';'));
      if (!iequals(parameter.name, "q")) continue;
      const auto parsed = detail::parse_qvalue(parameter.value);
      valid = parsed.has_value();
      if (valid) q = *parsed;
    }
    if (!valid) continue;
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip_q = gzip_q ? std::max(*gzip_q, q) : q;
    } else if (coding == "*") {
      any_q = any_q ? std::max(*any_q, q) : q;
    }
  }
  // An explicit gzip entry overrides the wildcard (RFC 9110 section 12.5.3).
  if (gzip_q) return *gzip_q > 0;
  return any_q && *any_q > 0;
}

void encode(Format format, const Exposition& exposition, std::string& out) {
  switch (format) {
    case Format::kPrometheus:
      encode_prometheus(exposition, out);
      return;
    case Format::kOpenMetrics:
      encode_openmetrics(exposition, out);
      return;
    case Format::kJson:
      encode_json(exposition, out);
      return;
    case Format::kCsv:
      encode_csv(exposition, out);
      return;
  }
}

}  // namespace observo::metrics
