#include "fake_vizier.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/jwt.h"
#include "px/api/vizierpb/vizierapi.grpc.pb.h"

namespace observo::testing {
namespace {

namespace pb = ::px::api::vizierpb;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A server stream that finishes exactly once (a write failure, a cancel and the normal end may
// race) and deletes itself when gRPC is done with it.
template <typename Response>
class OnceWriter : public grpc::ServerWriteReactor<Response> {
 public:
  void OnCancel() override { finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }
  void OnDone() override { delete this; }

 protected:
  void finish(grpc::Status status) {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    this->Finish(std::move(status));
  }

 private:
  std::mutex mutex_;
  bool finished_ = false;
};

// Writes a fixed list of responses, then finishes with `final`; `hang` keeps the stream open
// after the last response until the client cancels (HealthCheck, "slow").
class Writer : public OnceWriter<pb::ExecuteScriptResponse> {
 public:
  Writer(std::vector<pb::ExecuteScriptResponse> responses, grpc::Status final, bool hang)
      : responses_(std::move(responses)), final_(std::move(final)), hang_(hang) {
    next();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    next();
  }

 private:
  void next() {
    if (index_ < responses_.size()) {
      StartWrite(&responses_[index_++]);
      return;
    }
    if (!hang_) finish(final_);
  }
  std::vector<pb::ExecuteScriptResponse> responses_;
  grpc::Status final_;
  bool hang_;
  std::size_t index_ = 0;
};

class HealthWriter : public OnceWriter<pb::HealthCheckResponse> {
 public:
  explicit HealthWriter(int code) {
    response_.mutable_status()->set_code(code);
    StartWrite(&response_);
  }
  explicit HealthWriter(grpc::Status status) { finish(std::move(status)); }
  HealthWriter() = default;           // silent: writes nothing until cancelled
  void OnWriteDone(bool) override {}  // stays open, as Vizier's does, until cancelled

 private:
  pb::HealthCheckResponse response_;
};

pb::ExecuteScriptResponse meta(const std::string& query_id, const std::string& id,
                               const std::string& name,
                               std::vector<std::pair<std::string, pb::DataType>> columns) {
  pb::ExecuteScriptResponse response;
  response.set_query_id(query_id);
  auto* m = response.mutable_meta_data();
  m->set_id(id);
  m->set_name(name);
  for (const auto& [column, type] : columns) {
    auto* info = m->mutable_relation()->add_columns();
    info->set_column_name(column);
    info->set_column_type(type);
  }
  return response;
}

pb::ExecuteScriptResponse batch(const std::string& query_id, const std::string& table,
                                std::int64_t rows, bool eos) {
  pb::ExecuteScriptResponse response;
  response.set_query_id(query_id);
  auto* b = response.mutable_data()->mutable_batch();
  b->set_table_id(table);
  b->set_num_rows(rows);
  b->set_eos(eos);
  b->set_eow(eos);
  return response;
}

pb::ExecuteScriptResponse stats(const std::string& query_id) {
  pb::ExecuteScriptResponse response;
  response.set_query_id(query_id);
  auto* s = response.mutable_data()->mutable_execution_stats();
  s->mutable_timing()->set_execution_time_ns(1000);
  s->mutable_timing()->set_compilation_time_ns(500);
  s->set_records_processed(4);
  s->set_bytes_processed(128);
  return response;
}

void add_uint128(pb::RowBatchData* b, std::vector<std::pair<std::uint64_t, std::uint64_t>> v) {
  auto* col = b->add_cols()->mutable_uint128_data();
  for (const auto& [high, low] : v) {
    auto* u = col->add_data();
    u->set_high(high);
    u->set_low(low);
  }
}

// The default answer: two tables, interleaved, every column type, several batches.
std::vector<pb::ExecuteScriptResponse> mixed(const std::string& qid) {
  std::vector<pb::ExecuteScriptResponse> out;
  out.push_back(meta(qid, "t-1", "http",
                     {{"time_", pb::TIME64NS},
                      {"upid", pb::UINT128},
                      {"service", pb::STRING},
                      {"latency", pb::INT64},
                      {"ratio", pb::FLOAT64},
                      {"ok", pb::BOOLEAN}}));
  out.push_back(meta(qid, "t-2", "summary", {{"service", pb::STRING}, {"count", pb::INT64}}));
  {
    auto r = batch(qid, "t-1", 2, false);
    auto* b = r.mutable_data()->mutable_batch();
    b->add_cols()->mutable_time64ns_data()->mutable_data()->Add(1700000000123456789);
    b->mutable_cols(0)->mutable_time64ns_data()->add_data(1700000001000000000);
    add_uint128(b, {{0x0011223344556677ULL, 0x8899aabbccddeeffULL}, {1, 2}});
    auto* s = b->add_cols()->mutable_string_data();
    s->add_data("cart,\"x\"");
    s->add_data("caf\xC3\xA9\xFF");
    auto* i = b->add_cols()->mutable_int64_data();
    i->add_data(1500000);
    i->add_data(-3);
    auto* f = b->add_cols()->mutable_float64_data();
    f->add_data(0.25);
    f->add_data(std::numeric_limits<double>::quiet_NaN());
    auto* o = b->add_cols()->mutable_boolean_data();
    o->add_data(true);
    o->add_data(false);
    out.push_back(r);
  }
  {
    auto r = batch(qid, "t-2", 1, false);
    auto* b = r.mutable_data()->mutable_batch();
    b->add_cols()->mutable_string_data()->add_data("cart");
    b->add_cols()->mutable_int64_data()->add_data(3);
    out.push_back(r);
  }
  {
    auto r = batch(qid, "t-1", 1, true);
    auto* b = r.mutable_data()->mutable_batch();
    b->add_cols()->mutable_time64ns_data()->add_data(0);
    add_uint128(b, {{0, 0}});
    b->add_cols()->mutable_string_data()->add_data("");
    b->add_cols()->mutable_int64_data()->add_data(9223372036854775807LL);
    b->add_cols()->mutable_float64_data()->add_data(-0.5);
    b->add_cols()->mutable_boolean_data()->add_data(true);
    out.push_back(r);
  }
  out.push_back(batch(qid, "t-2", 0, true));
  out.push_back(stats(qid));
  return out;
}

pb::DataType type_of(const std::string& column) {
  static const std::vector<std::string> kStrings = {"namespace", "service", "pod", "container",
                                                    "resp_status_text"};
  static const std::vector<std::string> kInts = {
      "requests",         "errors",      "bytes_sent",       "bytes_received",    "packets_sent",
      "packets_received", "resp_status", "memory_rss_bytes", "memory_vsize_bytes"};
  if (std::find(kStrings.begin(), kStrings.end(), column) != kStrings.end()) return pb::STRING;
  if (std::find(kInts.begin(), kInts.end(), column) != kInts.end()) return pb::INT64;
  return pb::FLOAT64;
}

std::vector<pb::ExecuteScriptResponse> script_answer(
    const std::string& qid, const std::string& name,
    const std::vector<std::map<std::string, std::string>>& rows) {
  std::vector<pb::ExecuteScriptResponse> out;
  std::vector<std::pair<std::string, pb::DataType>> columns;
  if (!rows.empty()) {
    for (const auto& [column, value] : rows.front()) columns.push_back({column, type_of(column)});
  }
  out.push_back(meta(qid, "t-" + name, name, columns));
  auto r = batch(qid, "t-" + name, static_cast<std::int64_t>(rows.size()), true);
  auto* b = r.mutable_data()->mutable_batch();
  for (const auto& [column, type] : columns) {
    auto* col = b->add_cols();
    for (const auto& row : rows) {
      const auto& text = row.at(column);
      if (type == pb::STRING) col->mutable_string_data()->add_data(text);
      if (type == pb::INT64) col->mutable_int64_data()->add_data(std::stoll(text));
      if (type == pb::FLOAT64) col->mutable_float64_data()->add_data(std::stod(text));
    }
    if (rows.empty()) break;
  }
  if (rows.empty()) b->clear_cols();
  out.push_back(r);
  out.push_back(stats(qid));
  return out;
}

// "http_overview" for query_name "observo_http_overview"; empty for any other query (user
// scripts and ad-hoc queries get the every-column-type answer).
std::string builtin_of(const std::string& query_name) {
  static const std::set<std::string> kBuiltin = {"resource_usage", "http_overview",
                                                 "network_stats",  "pod_overview",
                                                 "error_analysis", "service_latency"};
  if (!query_name.starts_with("observo_")) return "";
  const auto name = query_name.substr(8);
  return kBuiltin.count(name) ? name : "";
}

// "rows:N": one table "rows" (time_ TIME64NS, id INT64, value FLOAT64, name STRING) of N rows
// in batches of kRowsPerBatch, each made when the previous one is written, so that a result of
// millions of rows costs the fake one batch of memory.
class RowsWriter : public OnceWriter<pb::ExecuteScriptResponse> {
 public:
  static constexpr std::int64_t kRowsPerBatch = 10'000;

  RowsWriter(std::string qid, std::int64_t rows) : qid_(std::move(qid)), rows_(rows) {
    response_ = meta(
        qid_, "t-rows", "rows",
        {{"time_", pb::TIME64NS}, {"id", pb::INT64}, {"value", pb::FLOAT64}, {"name", pb::STRING}});
    StartWrite(&response_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    if (sent_stats_) {
      finish(grpc::Status::OK);
      return;
    }
    if (next_row_ < rows_ || !sent_last_batch_) {
      const auto count = std::min(kRowsPerBatch, rows_ - next_row_);
      sent_last_batch_ = next_row_ + count >= rows_;
      response_ = batch(qid_, "t-rows", count, sent_last_batch_);
      auto* b = response_.mutable_data()->mutable_batch();
      auto* times = b->add_cols()->mutable_time64ns_data();
      auto* ids = b->add_cols()->mutable_int64_data();
      auto* values = b->add_cols()->mutable_float64_data();
      auto* names = b->add_cols()->mutable_string_data();
      for (std::int64_t i = next_row_; i < next_row_ + count; ++i) {
        times->add_data(1700000000000000000LL + i * 1000);
        ids->add_data(i);
        values->add_data(static_cast<double>(i) * 0.25);
        names->add_data("svc-" + std::to_string(i % 97));
      }
      next_row_ += count;
    } else {
      response_ = stats(qid_);
      sent_stats_ = true;
    }
    StartWrite(&response_);
  }

 private:
  std::string qid_;
  std::int64_t rows_;
  std::int64_t next_row_ = 0;
  bool sent_last_batch_ = false;
  bool sent_stats_ = false;
  pb::ExecuteScriptResponse response_;
};

class Service : public pb::VizierService::CallbackService {
 public:
  explicit Service(FakeVizier& fake) : fake_(fake) {}

  grpc::ServerWriteReactor<pb::ExecuteScriptResponse>* ExecuteScript(
      grpc::CallbackServerContext* context, const pb::ExecuteScriptRequest* request) override {
    const auto auth = authorization(context);
    fake_.record(
        {"ExecuteScript", request->query_str(), request->query_name(), request->query_id(), auth});
    if (const auto reason = check(auth); !reason.empty()) {
      return new Writer({}, grpc::Status(grpc::StatusCode::UNAUTHENTICATED, reason), false);
    }
    const auto& query = request->query_str();
    const std::string qid = request->query_id().empty()
                                ? "11111111-2222-3333-4444-" + std::to_string(100000000000 + ++n_)
                                : request->query_id();
    if (query.find("compile_error") != std::string::npos) {
      pb::ExecuteScriptResponse r;
      r.set_query_id(qid);
      r.mutable_status()->set_code(3);
      r.mutable_status()->set_message("Script compilation failed");
      auto* e1 = r.mutable_status()->add_error_details()->mutable_compiler_error();
      e1->set_line(3);
      e1->set_column(14);
      e1->set_message("name 'foo' is not defined");
      auto* e2 = r.mutable_status()->add_error_details()->mutable_compiler_error();
      e2->set_line(5);
      e2->set_column(1);
      e2->set_message("no table 'nope'");
      return new Writer({r}, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "compile"), false);
    }
    if (query.find("slow") != std::string::npos) return new Writer({}, grpc::Status::OK, true);
    if (const auto at = query.find("rows:"); at != std::string::npos) {
      const auto rows = std::strtoll(query.c_str() + at + 5, nullptr, 10);
      return new RowsWriter(qid, std::clamp<std::int64_t>(rows, 0, 2'000'000));
    }
    auto all = mixed(qid);
    if (query.find("bad_batch") != std::string::npos) {
      all[2].mutable_data()->mutable_batch()->set_num_rows(5);
      return new Writer(all, grpc::Status::OK, false);
    }
    if (query.find("fail_midway") != std::string::npos) {
      if (request->query_id().empty()) {
        std::vector<pb::ExecuteScriptResponse> first(all.begin(), all.begin() + 3);
        return new Writer(
            first,
            grpc::Status(grpc::StatusCode::UNAVAILABLE, "Received RST_STREAM with error code 2"),
            false);
      }
      return new Writer(std::vector<pb::ExecuteScriptResponse>(all.begin() + 3, all.end()),
                        grpc::Status::OK, false);
    }
    if (const auto name = builtin_of(request->query_name()); !name.empty()) {
      return new Writer(script_answer(qid, name, fake_.script_rows(name)), grpc::Status::OK, false);
    }
    return new Writer(all, grpc::Status::OK, false);
  }

  grpc::ServerWriteReactor<pb::HealthCheckResponse>* HealthCheck(
      grpc::CallbackServerContext* context, const pb::HealthCheckRequest*) override {
    const auto auth = authorization(context);
    fake_.record({"HealthCheck", "", "", "", auth});
    if (const auto reason = check(auth); !reason.empty()) {
      return new HealthWriter(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, reason));
    }
    if (fake_.options().health_silent) return new HealthWriter();
    return new HealthWriter(fake_.healthy() ? 0 : 14);
  }

 private:
  static std::string authorization(grpc::CallbackServerContext* context) {
    const auto& metadata = context->client_metadata();
    const auto found = metadata.find("authorization");
    return found == metadata.end() ? "" : std::string(found->second.data(), found->second.size());
  }
  std::string check(const std::string& auth) const {
    if (fake_.options().jwt_key.empty()) return "";
    return verify_bearer(auth, fake_.options().jwt_key);
  }
  FakeVizier& fake_;
  std::atomic<int> n_{0};
};

}  // namespace

std::string verify_bearer(const std::string& header, const std::string& key) {
  if (header.size() < 7) return "missing bearer token";
  std::string scheme = header.substr(0, 7);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return "authorization scheme is not bearer";
  const auto parts = common::verify_hs256_signature(header.substr(7), key);
  if (!parts) return parts.error();
  const auto header_json = nlohmann::json::parse(parts->header_json, nullptr, false);
  if (header_json.is_discarded() || !header_json.is_object() ||
      header_json.value("alg", "") != "HS256") {
    return "not HS256";
  }
  const auto claims = nlohmann::json::parse(parts->claims_json, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return "malformed claims";
  const auto aud = claims.value("aud", nlohmann::json());
  const bool audience =
      (aud.is_string() && aud == "vizier") ||
      (aud.is_array() && std::find(aud.begin(), aud.end(), "vizier") != aud.end());
  if (!audience) return "audience is not vizier";
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (!claims.contains("exp") || !claims["exp"].is_number() ||
      claims["exp"].get<long long>() <= now) {
    return "token expired";
  }
  return "";
}

FakeVizier::FakeVizier(FakeVizierOptions options)
    : options_(std::move(options)), healthy_(options_.healthy) {}

FakeVizier::~FakeVizier() { stop(); }

bool FakeVizier::start() {
  service_ = std::make_unique<Service>(*this);
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (options_.tls) {
    grpc::SslServerCredentialsOptions ssl(
        options_.client_ca_file.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_key_cert_pairs.push_back({read_file(options_.key_file), read_file(options_.cert_file)});
    if (!options_.client_ca_file.empty()) ssl.pem_root_certs = read_file(options_.client_ca_file);
    credentials = grpc::SslServerCredentials(ssl);
  } else {
    credentials = grpc::InsecureServerCredentials();
  }
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", credentials, &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  port_ = static_cast<std::uint16_t>(port);
  return server_ != nullptr && port > 0;
}

void FakeVizier::stop() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server_->Wait();
    server_.reset();
  }
}

void FakeVizier::set_script_rows(const std::string& name,
                                 std::vector<std::map<std::string, std::string>> rows) {
  std::lock_guard lock(mutex_);
  script_rows_[name] = std::move(rows);
}

std::vector<std::map<std::string, std::string>> FakeVizier::script_rows(const std::string& name) {
  std::lock_guard lock(mutex_);
  return script_rows_[name];
}

std::vector<SeenRequest> FakeVizier::seen() {
  std::lock_guard lock(mutex_);
  return seen_;
}

void FakeVizier::record(SeenRequest request) {
  std::lock_guard lock(mutex_);
  seen_.push_back(std::move(request));
}

}  // namespace observo::testing
