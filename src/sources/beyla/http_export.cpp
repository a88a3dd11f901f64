// handle_otlp_http: the OTLP/HTTP routing and status codes (http_receiver.h), apart from the
// sockets so that it reads as a function from request to response.
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "common/gunzip.h"
#include "sources/beyla/export_call.h"
#include "sources/beyla/http_receiver.h"
#include "sources/beyla/otlp_json.h"

namespace observo::beyla {

namespace {

namespace http = boost::beast::http;

enum class Encoding { kProtobuf, kJson, kOther };

std::string_view sv(boost::beast::string_view text) { return {text.data(), text.size()}; }

// google.rpc.Code values used in error bodies.
constexpr int kInvalidArgument = 3;
constexpr int kNotFound = 5;
constexpr int kResourceExhausted = 8;
constexpr int kUnimplemented = 12;
constexpr int kUnauthenticated = 16;

std::string lower_trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  std::string out(text.substr(first, last - first + 1));
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

Encoding encoding_of(const HttpRequest& request) {
  const auto value = sv(request[http::field::content_type]);
  const auto type = lower_trimmed(value.substr(0, value.find(';')));
  if (type == "application/x-protobuf" || type == "application/protobuf") {
    return Encoding::kProtobuf;
  }
  if (type == "application/json") return Encoding::kJson;
  return Encoding::kOther;
}

void append_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

HttpResponse respond(const HttpRequest& request, http::status status, std::string content_type,
                     std::string body) {
  HttpResponse response{status, request.version()};
  response.set(http::field::content_type, std::move(content_type));
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// A google.rpc.Status {code = 1, message = 2}: protobuf for protobuf requests, else JSON.
HttpResponse error_response(const HttpRequest& request, http::status status, int code,
                            const std::string& message) {
  if (encoding_of(request) == Encoding::kProtobuf) {
    std::string body;
    body += '\x08';
    append_varint(body, static_cast<std::uint64_t>(code));
    body += '\x12';
    append_varint(body, message.size());
    body += message;
    return respond(request, status, "application/x-protobuf", std::move(body));
  }
  const nlohmann::json body = {{"code", code}, {"message", message}};
  return respond(request, status, "application/json",
                 body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<Signal> signal_of_path(std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  if (path == "/v1/metrics") return Signal::kMetrics;
  if (path == "/v1/traces") return Signal::kTraces;
  return std::nullopt;
}

Result<void> decode_json(std::string_view text, ExportMetricsServiceRequest& out) {
  return decode_metrics_json(text, out);
}
Result<void> decode_json(std::string_view text, ExportTraceServiceRequest& out) {
  return decode_traces_json(text, out);
}

template <typename Request>
HttpResponse export_as(ReceiverContext& context, const HttpRequest& request, Encoding encoding,
                       bool gzip) {
  const auto result = run_export<Request>(
      context, "http", sv(request[http::field::authorization]),
      [&](Request& out) -> std::optional<DecodeError> {
        std::string inflated;
        std::string_view body = request.body();
        if (gzip) {
          auto text = common::gunzip(body, context.max_message_bytes);
          if (!text) {
            // common::gunzip says "expands to more than" when the cap is hit.
            const bool too_large = text.error().find("expands to more than") != std::string::npos;
            return DecodeError{too_large ? ExportStatus::kTooLarge : ExportStatus::kInvalid,
                               "gzip body: " + text.error()};
          }
          inflated = std::move(*text);
          body = inflated;
        }
        if (body.size() > context.max_message_bytes) {
          return DecodeError{ExportStatus::kTooLarge,
                             "request body is larger than otlp.max_message_bytes (" +
                                 std::to_string(context.max_message_bytes) + ")"};
        }
        if (encoding == Encoding::kJson) {
          if (auto decoded = decode_json(body, out); !decoded) {
            return DecodeError{ExportStatus::kInvalid, "invalid OTLP JSON: " + decoded.error()};
          }
          return std::nullopt;
        }
        if (body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
            !out.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
          return DecodeError{ExportStatus::kInvalid,
                             "body is not a valid " + Request::descriptor()->name()};
        }
        return std::nullopt;
      });
  constexpr Signal signal = signal_of<Request>();
  switch (result.status) {
    case ExportStatus::kOk:
      if (encoding == Encoding::kJson) {
        return respond(request, http::status::ok, "application/json",
                       response_json(signal, result.outcome));
      }
      return respond(request, http::status::ok, "application/x-protobuf",
                     response_protobuf(signal, result.outcome));
    case ExportStatus::kUnauthenticated: {
      auto response =
          error_response(request, http::status::unauthorized, kUnauthenticated, result.message);
      response.set(http::field::www_authenticate, "Bearer");
      return response;
    }
    case ExportStatus::kBusy: {
      auto response = error_response(request, http::status::too_many_requests, kResourceExhausted,
                                     result.message);
      response.set(http::field::retry_after, "1");
      return response;
    }
    case ExportStatus::kTooLarge:
      return error_response(request, http::status::payload_too_large, kResourceExhausted,
                            result.message);
    case ExportStatus::kInvalid:
      break;
  }
  return error_response(request, http::status::bad_request, kInvalidArgument, result.message);
}

}  // namespace

HttpResponse handle_otlp_http(ReceiverContext& context, const HttpRequest& request) {
  const auto signal = signal_of_path(sv(request.target()));
  if (!signal) {
    return error_response(request, http::status::not_found, kNotFound,
                          "unknown path (OTLP/HTTP serves POST /v1/metrics and /v1/traces)");
  }
  if (request.method() != http::verb::post) {
    auto response = error_response(request, http::status::method_not_allowed, kUnimplemented,
                                   "method not allowed: use POST");
    response.set(http::field::allow, "POST");
    return response;
  }
  const auto encoding = encoding_of(request);
  const auto content_encoding = lower_trimmed(sv(request[http::field::content_encoding]));
  const bool gzip = content_encoding == "gzip";
  if (encoding == Encoding::kOther ||
      (!gzip && !content_encoding.empty() && content_encoding != "identity")) {
    context.stats.request("http", *signal, "unsupported_media_type");
    const auto message =
        encoding == Encoding::kOther
            ? "unsupported Content-Type \"" + std::string(request[http::field::content_type]) +
                  "\" (application/x-protobuf or application/json)"
            : "unsupported Content-Encoding \"" +
                  std::string(request[http::field::content_encoding]) + "\" (gzip or none)";
    return error_response(request, http::status::unsupported_media_type, kInvalidArgument, message);
  }
  if (*signal == Signal::kMetrics) {
    return export_as<ExportMetricsServiceRequest>(context, request, encoding, gzip);
  }
  return export_as<ExportTraceServiceRequest>(context, request, encoding, gzip);
}

HttpResponse too_large_response(ReceiverContext& context, const HttpRequest& header_only) {
  const auto signal = signal_of_path(sv(header_only.target()));
  if (signal) context.stats.request("http", *signal, "too_large");
  auto response = error_response(header_only, http::status::payload_too_large, kResourceExhausted,
                                 "request body is larger than otlp.max_message_bytes (" +
                                     std::to_string(context.max_message_bytes) + ")");
  response.keep_alive(false);
  return response;
}

}  // namespace observo::beyla
