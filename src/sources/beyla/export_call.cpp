#include "sources/beyla/export_call.h"

#include <google/protobuf/util/json_util.h>

namespace observo::beyla {

namespace {

using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

template <typename Write>
std::string with_response(Signal signal, const IngestOutcome& outcome, Write&& write) {
  if (signal == Signal::kMetrics) {
    ExportMetricsServiceResponse response;
    if (outcome.rejected > 0) {
      response.mutable_partial_success()->set_rejected_data_points(outcome.rejected);
      response.mutable_partial_success()->set_error_message(outcome.error_message);
    }
    return write(response);
  }
  ExportTraceServiceResponse response;
  if (outcome.rejected > 0) {
    response.mutable_partial_success()->set_rejected_spans(outcome.rejected);
    response.mutable_partial_success()->set_error_message(outcome.error_message);
  }
  return write(response);
}

}  // namespace

std::string response_protobuf(Signal signal, const IngestOutcome& outcome) {
  return with_response(signal, outcome, [](const google::protobuf::Message& message) {
    return message.SerializeAsString();
  });
}

std::string response_json(Signal signal, const IngestOutcome& outcome) {
  return with_response(signal, outcome, [](const google::protobuf::Message& message) {
    std::string text;
    if (!google::protobuf::util::MessageToJsonString(message, &text).ok()) return std::string("{}");
    return text;
  });
}

}  // namespace observo::beyla
