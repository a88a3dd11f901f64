// A fake Vizier query broker for the tests: a real gRPC server (callback API) speaking observo's
// px.api.vizierpb proto on 127.0.0.1, with real TLS (optionally requiring client certificates)
// and HS256 JWT verification (signature, aud "vizier", exp) answering UNAUTHENTICATED otherwise.
//
// What ExecuteScript answers depends on the request:
//   query_name observo_<builtin script>: one table with that script's output columns and the
//     rows of FakeVizier::script_rows (settable per test);
//   query text containing "compile_error": a status with two compiler errors;
//   "fail_midway": metadata and one batch, then UNAVAILABLE "RST_STREAM"; the resend with the
//     same query_id gets the rest;
//   "slow": nothing until the client gives up;
//   "bad_batch": a batch whose column length differs from num_rows;
//   "rows:N" (N up to 2,000,000): one table of N generated rows (time_, id, value, name) in
//     batches of 10,000, made as they are sent;
//   otherwise: two tables over several batches with every column type (see fake_vizier.cpp).
#pragma once

#include <grpcpp/server.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace observo::testing {

struct FakeVizierOptions {
  bool tls = false;
  std::string cert_file = {};
  std::string key_file = {};
  std::string client_ca_file = {};  // set: client certificates are required (mTLS)
  std::string jwt_key = {};         // set: every call needs a valid bearer JWT signed with it
  bool healthy = true;
  bool health_silent = false;  // HealthCheck sends nothing until the client gives up
};

struct SeenRequest {
  std::string method;  // "ExecuteScript", "HealthCheck"
  std::string query;
  std::string query_name;
  std::string query_id;
  std::string authorization;
};

class FakeVizier {
 public:
  explicit FakeVizier(FakeVizierOptions options);
  ~FakeVizier();
  FakeVizier(const FakeVizier&) = delete;
  FakeVizier& operator=(const FakeVizier&) = delete;

  bool start();  // on 127.0.0.1:0
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void stop();

  void set_healthy(bool healthy) { healthy_ = healthy; }
  // Rows served for builtin script `name`: each row maps column -> value text.
  void set_script_rows(const std::string& name,
                       std::vector<std::map<std::string, std::string>> rows);
  std::vector<std::map<std::string, std::string>> script_rows(const std::string& name);
  std::vector<SeenRequest> seen();
  void record(SeenRequest request);

  const FakeVizierOptions& options() const { return options_; }
  bool healthy() const { return healthy_; }

 private:
  FakeVizierOptions options_;
  std::atomic<bool> healthy_;
  std::unique_ptr<grpc::Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::vector<SeenRequest> seen_;
  std::map<std::string, std::vector<std::map<std::string, std::string>>> script_rows_;
};

// Verifies "bearer <jwt>" against `key`: "" when valid, else the reason.
std::string verify_bearer(const std::string& header, const std::string& key);

}  // namespace observo::testing
