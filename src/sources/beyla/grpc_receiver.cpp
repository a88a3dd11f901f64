#include "sources/beyla/grpc_receiver.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "common/read_file.h"
#include "sources/beyla/export_call.h"

namespace observo::beyla {

namespace {

using opentelemetry::proto::collector::metrics::v1::MetricsService;
using opentelemetry::proto::collector::trace::v1::TraceService;

std::string authorization_of(grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  const auto found = metadata.find("authorization");
  return found == metadata.end() ? std::string()
                                 : std::string(found->second.data(), found->second.size());
}

grpc::StatusCode status_code(ExportStatus status) {
  switch (status) {
    case ExportStatus::kOk:
      return grpc::StatusCode::OK;
    case ExportStatus::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ExportStatus::kBusy:
    case ExportStatus::kTooLarge:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ExportStatus::kInvalid:
      break;
  }
  return grpc::StatusCode::INVALID_ARGUMENT;
}

// Handles one raw Export call and finishes its reactor.
template <typename Request>
grpc::ServerUnaryReactor* handle_export(ReceiverContext& context, grpc::CallbackServerContext* call,
                                        const grpc::ByteBuffer* request_bytes,
                                        grpc::ByteBuffer* response_bytes) {
  auto* reactor = call->DefaultReactor();
  const auto result = run_export<Request>(
      context, "grpc", authorization_of(call), [&](Request& request) -> std::optional<DecodeError> {
        grpc::ByteBuffer copy(*request_bytes);  // shares the slices
        grpc::ProtoBufferReader reader(&copy);
        if (!reader.status().ok() || !request.ParseFromZeroCopyStream(&reader)) {
          return DecodeError{ExportStatus::kInvalid,
                             "request is not a valid " + Request::descriptor()->name()};
        }
        return std::nullopt;
      });
  if (result.status != ExportStatus::kOk) {
    reactor->Finish(grpc::Status(status_code(result.status), result.message));
    return reactor;
  }
  const auto bytes = response_protobuf(signal_of<Request>(), result.outcome);
  grpc::Slice slice(bytes);
  *response_bytes = grpc::ByteBuffer(&slice, 1);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

Result<std::shared_ptr<grpc::ServerCredentials>> tcp_credentials(
    const config::TlsServerConfig& tls) {
  if (!tls.enabled) return grpc::InsecureServerCredentials();
  auto cert = read_file_for(tls.cert_file, "otlp.tls.cert_file");
  if (!cert) return make_error(cert.error());
  auto key = read_file_for(tls.key_file, "otlp.tls.key_file");
  if (!key) return make_error(key.error());
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!tls.client_ca_file.empty()) {
    auto ca = read_file_for(tls.client_ca_file, "otlp.tls.client_ca_file");
    if (!ca) return make_error(ca.error());
    options.pem_root_certs = std::move(*ca);
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  options.pem_key_cert_pairs.push_back({std::move(*key), std::move(*cert)});
  return grpc::SslServerCredentials(options);
}

}  // namespace

// MetricsService or TraceService with Export taking raw bytes.
template <class Service, class Request>
class ExportService final
    : public Service::template WithRawCallbackMethod_Export<typename Service::Service> {
 public:
  explicit ExportService(ReceiverContext& context) : context_(context) {}
  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* call,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return handle_export<Request>(context_, call, request, response);
  }

 private:
  ReceiverContext& context_;
};

class GrpcReceiver::MetricsImpl {
 public:
  explicit MetricsImpl(ReceiverContext& context) : service(context) {}
  ExportService<MetricsService, ExportMetricsServiceRequest> service;
};

class GrpcReceiver::TraceImpl {
 public:
  explicit TraceImpl(ReceiverContext& context) : service(context) {}
  ExportService<TraceService, ExportTraceServiceRequest> service;
};

Result<std::string> read_file_for(const std::string& path, const std::string& key) {
  if (path.empty()) return make_error(key + ": not set");
  auto text = common::read_file(path);
  if (!text) return make_error(key + ": " + text.error());
  return text;
}

Result<void> remove_stale_socket(const std::string& path, const std::string& key) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return {};  // nothing there
  if (!S_ISSOCK(info.st_mode)) {
    return make_error(key + ": " + path + " exists and is not a socket");
  }
  if (::unlink(path.c_str()) != 0) {
    return make_error(key + ": cannot remove stale socket " + path + ": " + std::strerror(errno));
  }
  return {};
}

GrpcReceiver::GrpcReceiver(ReceiverContext& context)
    : context_(context),
      metrics_(std::make_unique<MetricsImpl>(context)),
      traces_(std::make_unique<TraceImpl>(context)) {}

GrpcReceiver::~GrpcReceiver() { stop(); }

Result<void> GrpcReceiver::start(const config::OtlpConfig& config) {
  grpc::ServerBuilder builder;
  int selected_port = 0;
  if (!config.grpc_listen.empty()) {
    auto credentials = tcp_credentials(config.tls);
    if (!credentials) return make_error(credentials.error());
    builder.AddListeningPort(config.grpc_listen, *credentials, &selected_port);
  }
  if (!config.grpc_unix_socket.empty()) {
    if (auto removed = remove_stale_socket(config.grpc_unix_socket, "otlp.grpc_unix_socket");
        !removed) {
      return removed;
    }
    builder.AddListeningPort("unix:" + config.grpc_unix_socket, grpc::InsecureServerCredentials());
  }
  builder.RegisterService(&metrics_->service);
  builder.RegisterService(&traces_->service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(
      std::min<std::size_t>(config.max_message_bytes, std::numeric_limits<int>::max())));
  // gRPC sets SO_REUSEPORT by default, which would let a second daemon share the port silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_GZIP, true);
  builder.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_DEFLATE, true);
  server_ = builder.BuildAndStart();
  if (!server_ || (!config.grpc_listen.empty() && selected_port == 0)) {
    server_.reset();
    if (!config.grpc_listen.empty()) {
      return make_error("otlp.grpc_listen: cannot listen on " + config.grpc_listen +
                        (config.grpc_unix_socket.empty()
                             ? std::string()
                             : " or otlp.grpc_unix_socket " + config.grpc_unix_socket) +
                        " (address in use or invalid)");
    }
    return make_error("otlp.grpc_unix_socket: cannot listen on " + config.grpc_unix_socket);
  }
  port_ = static_cast<std::uint16_t>(selected_port);
  if (!config.grpc_listen.empty()) {
    const auto colon = config.grpc_listen.rfind(':');
    spdlog::info("otlp grpc receiver listening on {}:{}{}", config.grpc_listen.substr(0, colon),
                 port_, config.tls.enabled ? " (tls)" : "");
  }
  if (!config.grpc_unix_socket.empty()) {
    unix_socket_ = config.grpc_unix_socket;
    spdlog::info("otlp grpc receiver listening on unix:{}", config.grpc_unix_socket);
  }
  return {};
}

void GrpcReceiver::stop() {
  if (!server_) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
  server_.reset();
  if (!unix_socket_.empty()) ::unlink(unix_socket_.c_str());
  unix_socket_.clear();
}

}  // namespace observo::beyla
