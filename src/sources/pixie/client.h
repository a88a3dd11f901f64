// The Vizier gRPC client: HealthCheck (first message of the server stream decides) and
// ExecuteScript (read to the end through a ResponseDecoder, resent with the same query id after
// a transient stream failure). One ClientContext per call, always with a deadline; every stream
// is Finish()ed and its Status checked.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "px/api/vizierpb/vizierapi.grpc.pb.h"
#include "sources/pixie/connection.h"
#include "sources/pixie/decoder.h"

namespace observo::pixie {

struct HealthResult {
  bool healthy = false;
  int code = -1;    // the status code Vizier sent, -1 when none arrived
  Failure failure;  // why it is unhealthy
  std::chrono::milliseconds latency{0};
};

struct QueryRequest {
  std::string query;       // PxL source
  std::string query_name;  // Vizier's metrics label; "observo_<script>"
  std::chrono::milliseconds timeout{30'000};
};

struct QueryOutcome {
  Failure failure;  // kind kNone: success
  QueryStats stats;
  int attempts = 0;
  bool ok() const { return failure.kind == FailureKind::kNone; }
};

class VizierClient {
 public:
  explicit VizierClient(Connection connection);

  HealthResult health(std::chrono::milliseconds timeout);
  QueryOutcome execute(const QueryRequest& request, ResultSink& sink);

  const Connection& connection() const { return connection_; }

  // Cancels every call in flight (used when the daemon stops). Thread-safe.
  void cancel_all();

  static constexpr int kMaxResends = 2;

 private:
  void prepare(grpc::ClientContext& context, std::chrono::milliseconds timeout);

  // Registers a call for cancel_all() for as long as it lives.
  class Active {
   public:
    Active(VizierClient& client, grpc::ClientContext& context);
    ~Active();
    Active(const Active&) = delete;
    Active& operator=(const Active&) = delete;

   private:
    VizierClient& client_;
    grpc::ClientContext& context_;
  };

  Connection connection_;
  std::unique_ptr<vizierpb::VizierService::Stub> stub_;
  std::mutex mutex_;
  std::set<grpc::ClientContext*> active_;
};

// A gRPC status as a Failure with a message for people.
Failure failure_from_grpc(const grpc::Status& status, const std::string& address);

}  // namespace observo::pixie
