// The OTLP/JSON messages of the metrics and trace export requests, field by field, on top of
// the scalar rules and common messages of otlp_json_reader.
#include "sources/beyla/otlp_json.h"

#include <cstdint>
#include <exception>
#include <string>

#include "sources/beyla/otlp_json_reader.h"

namespace observo::beyla {
namespace {

using namespace opentelemetry::proto::metrics::v1;
using namespace opentelemetry::proto::trace::v1;
using otlp_json::Json;
using otlp_json::key_is;
using otlp_json::Reader;

constexpr std::size_t kTraceIdBytes = 16;
constexpr std::size_t kSpanIdBytes = 8;

// Reads every element of array `v` as a message of `out`'s type with `read`.
template <typename Message, typename Read>
bool repeated(Reader& r, const Json& v, google::protobuf::RepeatedPtrField<Message>& out,
              Read&& read) {
  return r.elements(v, [&](const Json& e) { return read(r, e, *out.Add()); });
}

bool temporality(Reader& r, const Json& v, AggregationTemporality& out) {
  return r.enumeration<AggregationTemporality>(
      v,
      [](const std::string& name, AggregationTemporality* e) {
        return AggregationTemporality_Parse(name, e);
      },
      [&](AggregationTemporality e) { out = e; });
}

bool exemplar(Reader& r, const Json& v, Exemplar& out) {
  int values = 0;
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "filtered_attributes")) {
      return r.attributes(f, *out.mutable_filtered_attributes());
    }
    if (key_is(key, "time_unix_nano")) {
      return r.u64(f, [&](std::uint64_t x) { out.set_time_unix_nano(x); });
    }
    if (key_is(key, "as_double")) {
      return r.one_of(values, "exemplar value") &&
             r.f64(f, [&](double x) { out.set_as_double(x); });
    }
    if (key_is(key, "as_int")) {
      return r.one_of(values, "exemplar value") &&
             r.i64(f, [&](std::int64_t x) { out.set_as_int(x); });
    }
    if (key_is(key, "span_id")) {
      return r.hex_id(f, kSpanIdBytes, [&](std::string id) { out.set_span_id(std::move(id)); });
    }
    if (key_is(key, "trace_id")) {
      return r.hex_id(f, kTraceIdBytes, [&](std::string id) { out.set_trace_id(std::move(id)); });
    }
    return true;
  });
}

// The fields every data point type shares (attributes, times, flags, exemplars); true when
// `key` was one of them, with `ok` the outcome of reading it.
template <typename Point>
bool common_point_field(Reader& r, std::string_view key, const Json& f, Point& out, bool& ok) {
  if (key_is(key, "attributes")) {
    ok = r.attributes(f, *out.mutable_attributes());
  } else if (key_is(key, "start_time_unix_nano")) {
    ok = r.u64(f, [&](std::uint64_t x) { out.set_start_time_unix_nano(x); });
  } else if (key_is(key, "time_unix_nano")) {
    ok = r.u64(f, [&](std::uint64_t x) { out.set_time_unix_nano(x); });
  } else if (key_is(key, "flags")) {
    ok = r.u32(f, [&](std::uint32_t x) { out.set_flags(x); });
  } else {
    return false;
  }
  return true;
}

template <typename Point>
bool exemplars_field(Reader& r, std::string_view key, const Json& f, Point& out, bool& ok) {
  if (!key_is(key, "exemplars")) return false;
  ok = repeated(r, f, *out.mutable_exemplars(), exemplar);
  return true;
}

bool number_point(Reader& r, const Json& v, NumberDataPoint& out) {
  int values = 0;
  return r.fields(v, [&](std::string_view key, const Json& f) {
    bool ok = true;
    if (common_point_field(r, key, f, out, ok) || exemplars_field(r, key, f, out, ok)) return ok;
    if (key_is(key, "as_double")) {
      return r.one_of(values, "data point value") &&
             r.f64(f, [&](double x) { out.set_as_double(x); });
    }
    if (key_is(key, "as_int")) {
      return r.one_of(values, "data point value") &&
             r.i64(f, [&](std::int64_t x) { out.set_as_int(x); });
    }
    return true;
  });
}

bool histogram_point(Reader& r, const Json& v, HistogramDataPoint& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    bool ok = true;
    if (common_point_field(r, key, f, out, ok) || exemplars_field(r, key, f, out, ok)) return ok;
    if (key_is(key, "count")) return r.u64(f, [&](std::uint64_t x) { out.set_count(x); });
    if (key_is(key, "sum")) return r.f64(f, [&](double x) { out.set_sum(x); });
    if (key_is(key, "min")) return r.f64(f, [&](double x) { out.set_min(x); });
    if (key_is(key, "max")) return r.f64(f, [&](double x) { out.set_max(x); });
    if (key_is(key, "bucket_counts")) {
      return r.elements(f, [&](const Json& e) {
        return r.u64(e, [&](std::uint64_t x) { out.add_bucket_counts(x); });
      });
    }
    if (key_is(key, "explicit_bounds")) {
      return r.elements(f, [&](const Json& e) {
        return r.f64(e, [&](double x) { out.add_explicit_bounds(x); });
      });
    }
    return true;
  });
}

bool exponential_buckets(Reader& r, const Json& v, ExponentialHistogramDataPoint::Buckets& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "offset")) return r.i32(f, [&](std::int32_t x) { out.set_offset(x); });
    if (key_is(key, "bucket_counts")) {
      return r.elements(f, [&](const Json& e) {
        return r.u64(e, [&](std::uint64_t x) { out.add_bucket_counts(x); });
      });
    }
    return true;
  });
}

bool exponential_point(Reader& r, const Json& v, ExponentialHistogramDataPoint& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    bool ok = true;
    if (common_point_field(r, key, f, out, ok) || exemplars_field(r, key, f, out, ok)) return ok;
    if (key_is(key, "count")) return r.u64(f, [&](std::uint64_t x) { out.set_count(x); });
    if (key_is(key, "sum")) return r.f64(f, [&](double x) { out.set_sum(x); });
    if (key_is(key, "min")) return r.f64(f, [&](double x) { out.set_min(x); });
    if (key_is(key, "max")) return r.f64(f, [&](double x) { out.set_max(x); });
    if (key_is(key, "scale")) return r.i32(f, [&](std::int32_t x) { out.set_scale(x); });
    if (key_is(key, "zero_count")) {
      return r.u64(f, [&](std::uint64_t x) { out.set_zero_count(x); });
    }
    if (key_is(key, "zero_threshold")) {
      return r.f64(f, [&](double x) { out.set_zero_threshold(x); });
    }
    if (key_is(key, "positive")) return exponential_buckets(r, f, *out.mutable_positive());
    if (key_is(key, "negative")) return exponential_buckets(r, f, *out.mutable_negative());
    return true;
  });
}

bool summary_point(Reader& r, const Json& v, SummaryDataPoint& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    bool ok = true;
    if (common_point_field(r, key, f, out, ok)) return ok;
    if (key_is(key, "count")) return r.u64(f, [&](std::uint64_t x) { out.set_count(x); });
    if (key_is(key, "sum")) return r.f64(f, [&](double x) { out.set_sum(x); });
    if (key_is(key, "quantile_values")) {
      return r.elements(f, [&](const Json& e) {
        auto& q = *out.add_quantile_values();
        return r.fields(e, [&](std::string_view k, const Json& g) {
          if (key_is(k, "quantile")) return r.f64(g, [&](double x) { q.set_quantile(x); });
          if (key_is(k, "value")) return r.f64(g, [&](double x) { q.set_value(x); });
          return true;
        });
      });
    }
    return true;
  });
}

// Gauge, Sum, Histogram, ExponentialHistogram, Summary: data points plus, for some, temporality
// and monotonicity.
template <typename Data, typename Point>
bool metric_data(Reader& r, const Json& v, Data& out, Point&& point) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "data_points")) return repeated(r, f, *out.mutable_data_points(), point);
    if constexpr (requires { out.set_aggregation_temporality(AggregationTemporality{}); }) {
      if (key_is(key, "aggregation_temporality")) {
        AggregationTemporality t{};
        if (!temporality(r, f, t)) return false;
        out.set_aggregation_temporality(t);
        return true;
      }
    }
    if constexpr (requires { out.set_is_monotonic(true); }) {
      if (key_is(key, "is_monotonic")) {
        return r.boolean(f, [&](bool b) { out.set_is_monotonic(b); });
      }
    }
    return true;
  });
}

bool metric(Reader& r, const Json& v, Metric& out) {
  int data = 0;
  constexpr std::string_view kGroup = "metric data (gauge, sum, histogram, ...)";
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "name")) return r.string(f, [&](const std::string& s) { out.set_name(s); });
    if (key_is(key, "description")) {
      return r.string(f, [&](const std::string& s) { out.set_description(s); });
    }
    if (key_is(key, "unit")) return r.string(f, [&](const std::string& s) { out.set_unit(s); });
    if (key_is(key, "metadata")) return r.attributes(f, *out.mutable_metadata());
    if (key_is(key, "gauge")) {
      return r.one_of(data, kGroup) && metric_data(r, f, *out.mutable_gauge(), number_point);
    }
    if (key_is(key, "sum")) {
      return r.one_of(data, kGroup) && metric_data(r, f, *out.mutable_sum(), number_point);
    }
    if (key_is(key, "histogram")) {
      return r.one_of(data, kGroup) && metric_data(r, f, *out.mutable_histogram(), histogram_point);
    }
    if (key_is(key, "exponential_histogram")) {
      return r.one_of(data, kGroup) &&
             metric_data(r, f, *out.mutable_exponential_histogram(), exponential_point);
    }
    if (key_is(key, "summary")) {
      return r.one_of(data, kGroup) && metric_data(r, f, *out.mutable_summary(), summary_point);
    }
    return true;
  });
}

bool scope_metrics(Reader& r, const Json& v, ScopeMetrics& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "scope")) return r.scope(f, *out.mutable_scope());
    if (key_is(key, "metrics")) return repeated(r, f, *out.mutable_metrics(), metric);
    if (key_is(key, "schema_url")) {
      return r.string(f, [&](const std::string& s) { out.set_schema_url(s); });
    }
    return true;
  });
}

bool resource_metrics(Reader& r, const Json& v, ResourceMetrics& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "resource")) return r.resource(f, *out.mutable_resource());
    if (key_is(key, "scope_metrics")) {
      return repeated(r, f, *out.mutable_scope_metrics(), scope_metrics);
    }
    if (key_is(key, "schema_url")) {
      return r.string(f, [&](const std::string& s) { out.set_schema_url(s); });
    }
    return true;
  });
}

bool span_event(Reader& r, const Json& v, Span::Event& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "time_unix_nano")) {
      return r.u64(f, [&](std::uint64_t x) { out.set_time_unix_nano(x); });
    }
    if (key_is(key, "name")) return r.string(f, [&](const std::string& s) { out.set_name(s); });
    if (key_is(key, "attributes")) return r.attributes(f, *out.mutable_attributes());
    if (key_is(key, "dropped_attributes_count")) {
      return r.u32(f, [&](std::uint32_t x) { out.set_dropped_attributes_count(x); });
    }
    return true;
  });
}

bool span_link(Reader& r, const Json& v, Span::Link& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "trace_id")) {
      return r.hex_id(f, kTraceIdBytes, [&](std::string id) { out.set_trace_id(std::move(id)); });
    }
    if (key_is(key, "span_id")) {
      return r.hex_id(f, kSpanIdBytes, [&](std::string id) { out.set_span_id(std::move(id)); });
    }
    if (key_is(key, "trace_state")) {
      return r.string(f, [&](const std::string& s) { out.set_trace_state(s); });
    }
    if (key_is(key, "attributes")) return r.attributes(f, *out.mutable_attributes());
    if (key_is(key, "dropped_attributes_count")) {
      return r.u32(f, [&](std::uint32_t x) { out.set_dropped_attributes_count(x); });
    }
    if (key_is(key, "flags")) return r.u32(f, [&](std::uint32_t x) { out.set_flags(x); });
    return true;
  });
}

bool status(Reader& r, const Json& v, Status& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "message")) {
      return r.string(f, [&](const std::string& s) { out.set_message(s); });
    }
    if (key_is(key, "code")) {
      return r.enumeration<Status::StatusCode>(
          f,
          [](const std::string& name, Status::StatusCode* e) {
            return Status::StatusCode_Parse(name, e);
          },
          [&](Status::StatusCode e) { out.set_code(e); });
    }
    return true;
  });
}

bool span(Reader& r, const Json& v, Span& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "trace_id")) {
      return r.hex_id(f, kTraceIdBytes, [&](std::string id) { out.set_trace_id(std::move(id)); });
    }
    if (key_is(key, "span_id")) {
      return r.hex_id(f, kSpanIdBytes, [&](std::string id) { out.set_span_id(std::move(id)); });
    }
    if (key_is(key, "parent_span_id")) {
      return r.hex_id(f, kSpanIdBytes,
                      [&](std::string id) { out.set_parent_span_id(std::move(id)); });
    }
    if (key_is(key, "trace_state")) {
      return r.string(f, [&](const std::string& s) { out.set_trace_state(s); });
    }
    if (key_is(key, "flags")) return r.u32(f, [&](std::uint32_t x) { out.set_flags(x); });
    if (key_is(key, "name")) return r.string(f, [&](const std::string& s) { out.set_name(s); });
    if (key_is(key, "kind")) {
      return r.enumeration<Span::SpanKind>(
          f,
          [](const std::string& name, Span::SpanKind* e) { return Span::SpanKind_Parse(name, e); },
          [&](Span::SpanKind e) { out.set_kind(e); });
    }
    if (key_is(key, "start_time_unix_nano")) {
      return r.u64(f, [&](std::uint64_t x) { out.set_start_time_unix_nano(x); });
    }
    if (key_is(key, "end_time_unix_nano")) {
      return r.u64(f, [&](std::uint64_t x) { out.set_end_time_unix_nano(x); });
    }
    if (key_is(key, "attributes")) return r.attributes(f, *out.mutable_attributes());
    if (key_is(key, "dropped_attributes_count")) {
      return r.u32(f, [&](std::uint32_t x) { out.set_dropped_attributes_count(x); });
    }
    if (key_is(key, "events")) return repeated(r, f, *out.mutable_events(), span_event);
    if (key_is(key, "dropped_events_count")) {
      return r.u32(f, [&](std::uint32_t x) { out.set_dropped_events_count(x); });
    }
    if (key_is(key, "links")) return repeated(r, f, *out.mutable_links(), span_link);
    if (key_is(key, "dropped_links_count")) {
      return r.u32(f, [&](std::uint32_t x) { out.set_dropped_links_count(x); });
    }
    if (key_is(key, "status")) return status(r, f, *out.mutable_status());
    return true;
  });
}

bool scope_spans(Reader& r, const Json& v, ScopeSpans& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "scope")) return r.scope(f, *out.mutable_scope());
    if (key_is(key, "spans")) return repeated(r, f, *out.mutable_spans(), span);
    if (key_is(key, "schema_url")) {
      return r.string(f, [&](const std::string& s) { out.set_schema_url(s); });
    }
    return true;
  });
}

bool resource_spans(Reader& r, const Json& v, ResourceSpans& out) {
  return r.fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "resource")) return r.resource(f, *out.mutable_resource());
    if (key_is(key, "scope_spans")) return repeated(r, f, *out.mutable_scope_spans(), scope_spans);
    if (key_is(key, "schema_url")) {
      return r.string(f, [&](const std::string& s) { out.set_schema_url(s); });
    }
    return true;
  });
}

// Parses `text` into `doc`: the nesting limit first (so no input can build an arbitrarily deep
// tree), then nlohmann's parser (iterative; it checks UTF-8 in strings).
Result<void> parse_document(std::string_view text, Json& doc) {
  if (auto depth_error = otlp_json::check_depth(text, otlp_json::kMaxJsonDepth);
      !depth_error.empty()) {
    return make_error(depth_error);
  }
  try {
    doc = Json::parse(text);
  } catch (const std::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at ..."
    std::string what = e.what();
    if (const auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
    return make_error("invalid JSON: " + what);
  }
  if (!doc.is_object()) return make_error("the JSON document is not an object");
  return {};
}

template <typename Request, typename Message, typename Read>
Result<void> decode(std::string_view text, std::string_view top_key, Request& out,
                    google::protobuf::RepeatedPtrField<Message>& list, Read&& read) {
  out.Clear();
  Json doc;
  if (auto parsed = parse_document(text, doc); !parsed) return parsed;
  Reader r;
  const bool ok = r.fields(doc, [&](std::string_view key, const Json& f) {
    if (key_is(key, top_key)) return repeated(r, f, list, read);
    return true;
  });
  if (!ok) {
    out.Clear();
    return make_error(r.error());
  }
  return {};
}

}  // namespace

Result<void> decode_metrics_json(std::string_view text, ExportMetricsServiceRequest& out) {
  return decode(text, "resource_metrics", out, *out.mutable_resource_metrics(), resource_metrics);
}

Result<void> decode_traces_json(std::string_view text, ExportTraceServiceRequest& out) {
  return decode(text, "resource_spans", out, *out.mutable_resource_spans(), resource_spans);
}

}  // namespace observo::beyla
