#include "sources/pixie/client.h"

#include <grpcpp/client_context.h>

namespace observo::pixie {
namespace {

// What pxapi resends on: the stream broke without an answer from the query itself.
bool is_transient(const grpc::Status& status) {
  const auto& message = status.error_message();
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         message.find("RST_STREAM") != std::string::npos ||
         message.find("server closed the stream without sending trailers") != std::string::npos;
}

}  // namespace

Failure failure_from_grpc(const grpc::Status& status, const std::string& address) {
  const std::string detail = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return {};
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return {FailureKind::kUnauthenticated,
              "Vizier at " + address + " rejected the credentials (" + detail +
                  "); check jwt_signing_key_file / jwt_signing_key_env"};
    case grpc::StatusCode::UNAVAILABLE:
      return {FailureKind::kUnreachable, "cannot reach Vizier at " + address + ": " + detail};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {FailureKind::kDeadline, "Vizier at " + address + " did not answer in time"};
    default:
      return {FailureKind::kTransport, "call to Vizier at " + address + " failed with gRPC code " +
                                           std::to_string(static_cast<int>(status.error_code())) +
                                           ": " + detail};
  }
}

VizierClient::Active::Active(VizierClient& client, grpc::ClientContext& context)
    : client_(client), context_(context) {
  std::lock_guard lock(client_.mutex_);
  client_.active_.insert(&context_);
}

VizierClient::Active::~Active() {
  std::lock_guard lock(client_.mutex_);
  client_.active_.erase(&context_);
}

void VizierClient::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto* context : active_) context->TryCancel();
}

VizierClient::VizierClient(Connection connection)
    : connection_(std::move(connection)),
      stub_(vizierpb::VizierService::NewStub(connection_.channel)) {}

void VizierClient::prepare(grpc::ClientContext& context, std::chrono::milliseconds timeout) {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  context.AddMetadata("pixie-api-client", "observo");
  if (connection_.jwt) context.AddMetadata("authorization", "bearer " + connection_.jwt->token());
}

HealthResult VizierClient::health(std::chrono::milliseconds timeout) {
  const auto started = std::chrono::steady_clock::now();
  HealthResult result;
  grpc::ClientContext context;
  prepare(context, timeout);
  const Active active(*this, context);
  vizierpb::HealthCheckRequest request;
  request.set_cluster_id(connection_.cluster_id);
  auto reader = stub_->HealthCheck(&context, request);
  vizierpb::HealthCheckResponse response;
  const bool got = reader->Read(&response);
  // The stream never ends on its own (a message every 5 s): cancel, then Finish. When no
  // message came, the stream has already ended and Finish() reports why.
  if (got) context.TryCancel();
  const grpc::Status status = reader->Finish();
  result.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  const std::string& address = connection_.address;
  if (!got) {
    result.failure = failure_from_grpc(status, address);
    if (result.failure.kind == FailureKind::kNone) {
      result.failure = {FailureKind::kTransport,
                        "Vizier at " + address + " closed the health stream without a status"};
    }
    return result;
  }
  result.code = response.status().code();
  result.healthy = result.code == 0;
  if (!result.healthy) {
    result.failure = {
        FailureKind::kStatus,
        "Vizier at " + address + " reports status " + std::to_string(result.code) +
            (result.code == 14 ? " (UNAVAILABLE: its own health check fails)" : "") +
            (response.status().message().empty() ? "" : ": " + response.status().message())};
  }
  return result;
}

QueryOutcome VizierClient::execute(const QueryRequest& query, ResultSink& sink) {
  QueryOutcome outcome;
  ResponseDecoder decoder(sink);
  const auto deadline = std::chrono::system_clock::now() + query.timeout;
  const std::string& address = connection_.address;
  for (;;) {
    ++outcome.attempts;
    grpc::ClientContext context;
    prepare(context, query.timeout);
    context.set_deadline(deadline);  // resends share the one deadline of the query
    const Active active(*this, context);
    vizierpb::ExecuteScriptRequest request;
    request.set_query_str(query.query);
    request.set_query_name(query.query_name);
    request.set_query_id(decoder.stats().query_id);  // empty on the first attempt
    auto reader = stub_->ExecuteScript(&context, request);
    vizierpb::ExecuteScriptResponse response;
    bool decoded = true;
    while (reader->Read(&response)) {
      if (!decoder.feed(response)) {
        decoded = false;
        context.TryCancel();
        break;
      }
    }
    const grpc::Status status = reader->Finish();
    outcome.stats = decoder.stats();
    if (!decoded) {
      outcome.failure = decoder.failure();
      return outcome;
    }
    if (status.ok()) {
      if (!decoder.finish()) outcome.failure = decoder.failure();
      outcome.stats = decoder.stats();
      return outcome;
    }
    if (!decoder.stats().query_id.empty() && is_transient(status) &&
        outcome.attempts <= kMaxResends) {
      continue;
    }
    outcome.failure = failure_from_grpc(status, address);
    return outcome;
  }
}

}  // namespace observo::pixie
