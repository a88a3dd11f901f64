// The OTLP/JSON encoding (OTLP specification, "JSON Protobuf Encoding") decoded into the
// protobuf messages: lowerCamelCase keys (snake_case accepted too), trace and span IDs as hex,
// enums as integers (names accepted), 64-bit integers as strings or numbers, unknown fields
// ignored. Errors name the JSON path of the offending value ("resourceMetrics[0].scopeMetrics
// [1].metrics[2].sum.dataPoints[0].asInt: not an integer").
#pragma once

#include <string>
#include <string_view>

#include "observo/common/result.h"
#include "sources/beyla/ingest.h"

namespace observo::beyla {

Result<void> decode_metrics_json(std::string_view text, ExportMetricsServiceRequest& out);
Result<void> decode_traces_json(std::string_view text, ExportTraceServiceRequest& out);

}  // namespace observo::beyla
