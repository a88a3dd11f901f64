// The OTLP/gRPC receiver: MetricsService/Export and TraceService/Export on the callback API, on
// otlp.grpc_listen (TLS or mTLS per otlp.tls) and optionally on a Unix socket
// (otlp.grpc_unix_socket, always plaintext). gzip-compressed requests are accepted; messages
// over otlp.max_message_bytes are refused by gRPC with RESOURCE_EXHAUSTED. The methods take
// the raw bytes so that a malformed message is answered INVALID_ARGUMENT (gRPC's own
// deserialisation would answer INTERNAL).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "observo/common/result.h"
#include "observo/config/config.h"
#include "sources/beyla/receiver.h"

namespace grpc {
class Server;
}

namespace observo::beyla {

class GrpcReceiver {
 public:
  explicit GrpcReceiver(ReceiverContext& context);
  ~GrpcReceiver();  // stops
  GrpcReceiver(const GrpcReceiver&) = delete;
  GrpcReceiver& operator=(const GrpcReceiver&) = delete;

  // Binds and starts serving. Errors (bad address, port in use, unreadable TLS files) name the
  // config key.
  Result<void> start(const config::OtlpConfig& config);
  void stop();  // idempotent; cancels calls still running after a short grace

  std::uint16_t port() const { return port_; }  // bound TCP port; 0 without a TCP listener

 private:
  class MetricsImpl;
  class TraceImpl;
  ReceiverContext& context_;
  std::unique_ptr<MetricsImpl> metrics_;
  std::unique_ptr<TraceImpl> traces_;
  std::unique_ptr<grpc::Server> server_;
  std::uint16_t port_ = 0;
  std::string unix_socket_;  // removed again by stop()
};

// Reads a whole PEM (or any) file; the error names `key`.
Result<std::string> read_file_for(const std::string& path, const std::string& key);

// Removes a stale Unix socket left by an earlier run at `path`; an error when something other
// than a socket is there. The error names `key`.
Result<void> remove_stale_socket(const std::string& path, const std::string& key);

}  // namespace observo::beyla
