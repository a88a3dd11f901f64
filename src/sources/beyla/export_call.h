// One OTLP export call as both receivers handle it, whatever the transport: check the
// credential, take an in-flight slot, decode, ingest, count, and build the Export*Response
// (partial_success only when something was rejected). The transports map the status onto
// gRPC codes or HTTP statuses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "sources/beyla/receiver.h"

namespace observo::beyla {

enum class ExportStatus { kOk, kUnauthenticated, kBusy, kInvalid, kTooLarge };

struct ExportResult {
  ExportStatus status = ExportStatus::kOk;
  std::string message;  // why the call failed (never the credential); empty on kOk
  IngestOutcome outcome;
};

inline IngestOutcome ingest_request(ReceiverContext& context,
                                    const ExportMetricsServiceRequest& request) {
  return context.metrics.ingest(request);
}
inline IngestOutcome ingest_request(ReceiverContext& context,
                                    const ExportTraceServiceRequest& request) {
  return context.traces.ingest(request);
}
template <typename Request>
constexpr Signal signal_of() {
  return std::is_same_v<Request, ExportMetricsServiceRequest> ? Signal::kMetrics : Signal::kTraces;
}

// What a decoder reports when the body is unusable: kInvalid (malformed) or kTooLarge (it
// decompresses to more than otlp.max_message_bytes).
struct DecodeError {
  ExportStatus status = ExportStatus::kInvalid;
  std::string message;
};

// decode(Request&) -> std::optional<DecodeError>: parses the body into the request. It runs
// after the credential check, so unauthenticated senders cost no decompression or parsing.
template <typename Request, typename Decode>
ExportResult run_export(ReceiverContext& context, std::string_view transport,
                        std::string_view authorization, Decode&& decode) {
  constexpr Signal signal = signal_of<Request>();
  ExportResult result;
  if (auto reason = context.auth.check(authorization)) {
    context.stats.request(transport, signal, "unauthenticated");
    return {ExportStatus::kUnauthenticated, std::move(*reason), {}};
  }
  auto slot = context.inflight.try_acquire();
  if (!slot) {
    context.stats.request(transport, signal, "busy");
    return {ExportStatus::kBusy, "too many concurrent export requests", {}};
  }
  Request request;
  if (auto failed = decode(request)) {
    const bool too_large = failed->status == ExportStatus::kTooLarge;
    context.stats.request(transport, signal, too_large ? "too_large" : "invalid");
    return {too_large ? ExportStatus::kTooLarge : ExportStatus::kInvalid,
            std::move(failed->message),
            {}};
  }
  result.outcome = ingest_request(context, request);
  context.stats.ingested(transport, signal, result.outcome);
  context.stats.request(transport, signal, result.outcome.rejected > 0 ? "partial" : "success");
  return result;
}

// The Export*Response of `signal` for `outcome`, as protobuf bytes or as OTLP JSON ("{}" on
// full success).
std::string response_protobuf(Signal signal, const IngestOutcome& outcome);
std::string response_json(Signal signal, const IngestOutcome& outcome);

}  // namespace observo::beyla
