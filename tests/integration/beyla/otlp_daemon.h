// Support for the OTLP receiver tests: the real observo binary run with otlp enabled on
// kernel-chosen ports (read back from its log), the known export requests the tests send, and
// small clients for OTLP/gRPC (the generated stubs, or raw bytes) and OTLP/HTTP (TCP or a Unix
// socket), each bounded by a deadline.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "../pixie/run_observo.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace observo::testing {

namespace otlp_metrics = ::opentelemetry::proto::collector::metrics::v1;
namespace otlp_trace = ::opentelemetry::proto::collector::trace::v1;

// `observo server` with an otlp section: enabled, gRPC and HTTP on 127.0.0.1:0, plus
// `otlp_yaml` (lines indented by two spaces, under otlp:).
class OtlpDaemon {
 public:
  explicit OtlpDaemon(const std::string& otlp_yaml = "",
                      const std::map<std::string, std::string>& env = {});
  bool started() const { return grpc_port_ != 0 && http_port_ != 0; }
  std::uint16_t grpc_port() const { return grpc_port_; }
  std::uint16_t http_port() const { return http_port_; }
  std::uint16_t server_port() const { return server_->port(); }
  std::string log() const { return server_->log(); }
  std::string path(const std::string& name) const { return dir_.path(name); }
  std::string write(const std::string& name, const std::string& text) const {
    return dir_.write(name, text);
  }
  std::string metrics() const;  // GET /metrics of the daemon
  // Polls /metrics until `needle` shows up (at most 10 s); returns the last body.
  std::string wait_for(const std::string& needle) const;

 private:
  ScratchDir dir_;
  std::unique_ptr<ObservoServer> server_;
  std::uint16_t grpc_port_ = 0;
  std::uint16_t http_port_ = 0;
};

// A cumulative monotonic sum "requests" = 5 {method="GET"} from service.name=checkout, scope
// "shop" version "1.0"; its Prometheus line is kRequestsLine.
otlp_metrics::ExportMetricsServiceRequest requests_metric(double value = 5);
inline constexpr const char* kRequestsLine =
    "requests_total{job=\"checkout\",method=\"GET\",otel_scope_name=\"shop\","
    "otel_scope_version=\"1.0\"} 5\n";
// kRequestsLine with another value.
std::string requests_line(int value);
// The same request in OTLP/JSON.
std::string requests_metric_json();

// One SERVER span "GET /cart" of service checkout lasting 250 ms, status unset.
otlp_trace::ExportTraceServiceRequest server_span();

struct GrpcCall {
  grpc::Status status;
  std::string response;  // serialized Export*ServiceResponse
};

struct GrpcTarget {
  std::string address;                                    // "127.0.0.1:port" or "unix:/path"
  std::shared_ptr<grpc::ChannelCredentials> credentials;  // default insecure
  std::string authorization;                              // sent as metadata when not empty
  bool gzip = false;
};

GrpcCall export_metrics(const GrpcTarget& target,
                        const otlp_metrics::ExportMetricsServiceRequest& request,
                        otlp_metrics::ExportMetricsServiceResponse* response = nullptr);
GrpcCall export_traces(const GrpcTarget& target,
                       const otlp_trace::ExportTraceServiceRequest& request);
// Sends `bytes` as the raw request of MetricsService/Export.
GrpcCall export_raw(const GrpcTarget& target, const std::string& bytes);

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;  // lower-case names
};
// POST (or `method`) to 127.0.0.1:port, or to the Unix socket `unix_path` when port is 0.
HttpReply http_post(std::uint16_t port, const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers,
                    const std::string& method = "POST", const std::string& unix_path = "");

std::string gzip(const std::string& data);

}  // namespace observo::testing
