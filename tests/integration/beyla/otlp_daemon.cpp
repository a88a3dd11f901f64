#include "otlp_daemon.h"

#include <grpcpp/generic/generic_stub.h>
#include <zlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <regex>
#include <thread>

namespace observo::testing {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace common_pb = ::opentelemetry::proto::common::v1;
namespace metrics_pb = ::opentelemetry::proto::metrics::v1;
namespace trace_pb = ::opentelemetry::proto::trace::v1;

constexpr std::chrono::seconds kDeadline{5};

void add_attribute(google::protobuf::RepeatedPtrField<common_pb::KeyValue>* list,
                   const std::string& key, const std::string& value) {
  auto* kv = list->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

std::uint16_t port_from_log(const std::string& log, const std::string& what) {
  const std::regex pattern("otlp " + what + " receiver listening on [0-9.]+:([0-9]+)");
  std::smatch match;
  if (!std::regex_search(log, match, pattern)) return 0;
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

std::unique_ptr<grpc::ClientContext> client_context(const GrpcTarget& target) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kDeadline);
  if (!target.authorization.empty()) context->AddMetadata("authorization", target.authorization);
  if (target.gzip) context->set_compression_algorithm(GRPC_COMPRESS_GZIP);
  return context;
}

std::shared_ptr<grpc::Channel> channel_for(const GrpcTarget& target) {
  return grpc::CreateChannel(
      target.address, target.credentials ? target.credentials : grpc::InsecureChannelCredentials());
}

template <class Stream, class Endpoint>
HttpReply exchange(const Endpoint& endpoint, http::request<http::string_body> request) {
  asio::io_context io;
  Stream stream(io);
  stream.expires_after(kDeadline);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  HttpReply reply;
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) return;
    http::async_write(stream, request, [&](beast::error_code ec2, std::size_t) {
      if (ec2) return;
      http::async_read(stream, buffer, parser, [&](beast::error_code ec3, std::size_t) {
        if (ec3) return;
        const auto& response = parser.get();
        reply.status = static_cast<int>(response.result_int());
        reply.body = response.body();
        for (const auto& field : response) {
          std::string name(field.name_string());
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          reply.headers[name] = std::string(field.value());
        }
        reply.content_type = reply.headers["content-type"];
      });
    });
  });
  io.run();
  return reply;
}

}  // namespace

OtlpDaemon::OtlpDaemon(const std::string& otlp_yaml,
                       const std::map<std::string, std::string>& env) {
  const auto config = dir_.write("observo.yaml",
                                 "metrics:\n  process_metrics: false\n"
                                 "otlp:\n  enabled: true\n  grpc_listen: \"127.0.0.1:0\"\n"
                                 "  http_listen: \"127.0.0.1:0\"\n" +
                                     otlp_yaml);
  server_ = std::make_unique<ObservoServer>(config, env);
  for (int i = 0; i < 100 && server_->started() && !started(); ++i) {
    const auto text = server_->log();
    grpc_port_ = port_from_log(text, "grpc");
    http_port_ = port_from_log(text, "http");
    if (!started()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string OtlpDaemon::metrics() const {
  return http_request(server_->port(), "GET", "/metrics").body;
}

std::string OtlpDaemon::wait_for(const std::string& needle) const {
  std::string body;
  for (int i = 0; i < 100; ++i) {
    body = metrics();
    if (body.find(needle) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return body;
}

std::string requests_line(int value) {
  return "requests_total{job=\"checkout\",method=\"GET\",otel_scope_name=\"shop\","
         "otel_scope_version=\"1.0\"} " +
         std::to_string(value) + "\n";
}

otlp_metrics::ExportMetricsServiceRequest requests_metric(double value) {
  otlp_metrics::ExportMetricsServiceRequest request;
  auto* rm = request.add_resource_metrics();
  add_attribute(rm->mutable_resource()->mutable_attributes(), "service.name", "checkout");
  auto* sm = rm->add_scope_metrics();
  sm->mutable_scope()->set_name("shop");
  sm->mutable_scope()->set_version("1.0");
  auto* metric = sm->add_metrics();
  metric->set_name("requests");
  metric->set_description("Requests served.");
  auto* sum = metric->mutable_sum();
  sum->set_is_monotonic(true);
  sum->set_aggregation_temporality(metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* point = sum->add_data_points();
  point->set_as_int(static_cast<std::int64_t>(value));
  point->set_start_time_unix_nano(1'700'000'000'000'000'000ULL);
  point->set_time_unix_nano(1'700'000'010'000'000'000ULL);
  add_attribute(point->mutable_attributes(), "method", "GET");
  return request;
}

std::string requests_metric_json() {
  return R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name",)"
         R"("value":{"stringValue":"checkout"}}]},"scopeMetrics":[{"scope":{"name":"shop",)"
         R"("version":"1.0"},"metrics":[{"name":"requests","description":"Requests served.",)"
         R"("sum":{"isMonotonic":true,"aggregationTemporality":2,"dataPoints":[{)"
         R"("asInt":"5","startTimeUnixNano":"1700000000000000000",)"
         R"("timeUnixNano":"1700000010000000000","attributes":[{"key":"method",)"
         R"("value":{"stringValue":"GET"}}]}]}}]}]}]})";
}

otlp_trace::ExportTraceServiceRequest server_span() {
  otlp_trace::ExportTraceServiceRequest request;
  auto* rs = request.add_resource_spans();
  add_attribute(rs->mutable_resource()->mutable_attributes(), "service.name", "checkout");
  auto* span = rs->add_scope_spans()->add_spans();
  span->set_trace_id(std::string(16, '\x01'));
  span->set_span_id(std::string(8, '\x02'));
  span->set_name("GET /cart");
  span->set_kind(trace_pb::Span::SPAN_KIND_SERVER);
  span->set_start_time_unix_nano(1'700'000'000'000'000'000ULL);
  span->set_end_time_unix_nano(1'700'000'000'250'000'000ULL);
  return request;
}

template <class Service, class Request, class Response>
GrpcCall export_with(const GrpcTarget& target, const Request& request, Response* response) {
  auto stub = Service::NewStub(channel_for(target));
  auto context = client_context(target);
  Response reply;
  GrpcCall call;
  call.status = stub->Export(context.get(), request, &reply);
  call.response = reply.SerializeAsString();
  if (response) *response = reply;
  return call;
}

GrpcCall export_metrics(const GrpcTarget& target,
                        const otlp_metrics::ExportMetricsServiceRequest& request,
                        otlp_metrics::ExportMetricsServiceResponse* response) {
  return export_with<otlp_metrics::MetricsService>(target, request, response);
}

GrpcCall export_traces(const GrpcTarget& target,
                       const otlp_trace::ExportTraceServiceRequest& request) {
  return export_with<otlp_trace::TraceService>(
      target, request, static_cast<otlp_trace::ExportTraceServiceResponse*>(nullptr));
}

GrpcCall export_raw(const GrpcTarget& target, const std::string& bytes) {
  grpc::GenericStub stub(channel_for(target));
  auto context = client_context(target);
  grpc::CompletionQueue queue;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  auto rpc = stub.PrepareUnaryCall(
      context.get(), "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", request,
      &queue);
  rpc->StartCall();
  grpc::ByteBuffer response;
  GrpcCall call;
  rpc->Finish(&response, &call.status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return call;
}

HttpReply http_post(std::uint16_t port, const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers, const std::string& method,
                    const std::string& unix_path) {
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  if (port == 0) {
    using Unix = beast::basic_stream<asio::local::stream_protocol>;
    return exchange<Unix>(asio::local::stream_protocol::endpoint(unix_path), std::move(request));
  }
  return exchange<beast::tcp_stream>(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), std::move(request));
}

std::string gzip(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace observo::testing
