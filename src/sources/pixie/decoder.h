// Reads an ExecuteScript response stream the way Vizier defines it: a meta_data per output table
// (relation, name, id), then batches tagged by table id, an eos batch per table, execution stats.
// Every inconsistency (a batch for an unknown table, data after eos, a column whose length or
// type differs from the relation, an encrypted batch) is an error, never a crash: this decoder
// is what the fuzz target feeds arbitrary streams to.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "observo/common/result.h"
#include "px/api/vizierpb/vizierapi.pb.h"

namespace observo::pixie {

namespace vizierpb = ::px::api::vizierpb;

struct ColumnInfo {
  std::string name;
  vizierpb::DataType type = vizierpb::DATA_TYPE_UNKNOWN;
  vizierpb::SemanticType semantic = vizierpb::ST_UNSPECIFIED;
};

struct TableInfo {
  std::string id;
  std::string name;
  std::vector<ColumnInfo> columns;
  bool ended = false;
  std::uint64_t rows = 0;
};

// Receives tables and validated batches as they arrive. A sink error stops the query.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual Result<void> on_table(const TableInfo& table) = 0;
  // batch.cols() matches table.columns in count and type, and every column has num_rows values.
  virtual Result<void> on_batch(const TableInfo& table, const vizierpb::RowBatchData& batch) = 0;
  virtual Result<void> on_end() { return {}; }  // the stream completed successfully
};

struct QueryStats {
  std::string query_id;
  std::int64_t execution_time_ns = 0;
  std::int64_t compilation_time_ns = 0;
  std::int64_t bytes_processed = 0;
  std::int64_t records_processed = 0;
  std::uint64_t rows_received = 0;
};

enum class FailureKind {
  kNone,
  kCompile,          // compiler errors (line:column: message)
  kInvalidArgument,  // status code 3 without compiler details
  kStatus,           // any other non-zero status in the stream
  kProtocol,         // a malformed stream
  kSink,             // the writer failed (for example a closed pipe)
  kUnauthenticated,  // gRPC UNAUTHENTICATED / PERMISSION_DENIED
  kUnreachable,      // gRPC UNAVAILABLE before any response
  kDeadline,         // gRPC DEADLINE_EXCEEDED
  kTransport,        // any other gRPC failure
};

struct Failure {
  FailureKind kind = FailureKind::kNone;
  std::string message;
};

// "compile error: 3:14: name 'foo' is not defined" lines, one per compiler error.
Failure failure_from_status(const vizierpb::Status& status);

class ResponseDecoder {
 public:
  explicit ResponseDecoder(ResultSink& sink) : sink_(sink) {}

  // False with failure() set on the first problem; nothing more should be fed after that.
  bool feed(const vizierpb::ExecuteScriptResponse& response);
  // The stream closed with OK: every table must have seen its eos.
  bool finish();

  const Failure& failure() const { return failure_; }
  const QueryStats& stats() const { return stats_; }
  const std::map<std::string, TableInfo>& tables() const { return tables_; }

 private:
  bool fail(FailureKind kind, std::string message);
  bool on_meta(const vizierpb::QueryMetadata& meta);
  bool on_batch(const vizierpb::RowBatchData& batch);

  ResultSink& sink_;
  std::map<std::string, TableInfo> tables_;  // by table id
  QueryStats stats_;
  Failure failure_;
};

}  // namespace observo::pixie
