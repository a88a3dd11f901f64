// libFuzzer target: arbitrary bytes through the OTLP/JSON decoder, as a metrics and as a traces
// export request. Whatever the input, each decoder must succeed or return an error naming a
// JSON path, never crash, recurse without bound or read out of bounds; an accepted request must
// serialize as protobuf (every string it holds is valid UTF-8, every ID the right length).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sources/beyla/otlp_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string wire;

  observo::beyla::ExportMetricsServiceRequest metrics;
  if (const auto result = observo::beyla::decode_metrics_json(text, metrics); result.ok()) {
    if (!metrics.SerializeToString(&wire)) std::abort();
  } else if (result.error().empty() || metrics.resource_metrics_size() != 0) {
    std::abort();  // an error always says what, and leaves nothing half-decoded behind
  }

  observo::beyla::ExportTraceServiceRequest traces;
  if (const auto result = observo::beyla::decode_traces_json(text, traces); result.ok()) {
    for (const auto& rs : traces.resource_spans()) {
      for (const auto& ss : rs.scope_spans()) {
        for (const auto& span : ss.spans()) {
          if (!span.trace_id().empty() && span.trace_id().size() != 16) std::abort();
          if (!span.span_id().empty() && span.span_id().size() != 8) std::abort();
        }
      }
    }
    if (!traces.SerializeToString(&wire)) std::abort();
  } else if (result.error().empty() || traces.resource_spans_size() != 0) {
    std::abort();
  }
  return 0;
}
