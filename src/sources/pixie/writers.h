// Result writers that stream: rows are written as their batches arrive, so a million-row result
// costs the memory of one batch. JSON keeps the earlier connector's shape (query, executed_at,
// duration, row_count, columns, data as row objects) for the first table; further tables, which
// Vizier interleaves with the first, are kept until the end and written under "tables".
// CSV writes the first table as header + rows and each further table after a "# table: NAME"
// line. See docs/pixie.md.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sources/pixie/cells.h"
#include "sources/pixie/decoder.h"

namespace observo::pixie {

using Output = std::function<Result<void>(std::string_view)>;

struct RunInfo {
  std::string query;        // the PxL text (or script name) echoed in JSON
  std::string executed_at;  // RFC 3339
};

class StreamWriter : public ResultSink {
 public:
  // Called once after a successful stream.
  virtual Result<void> complete(const QueryStats& stats, double duration_ms) = 0;
};

class JsonWriter : public StreamWriter {
 public:
  JsonWriter(Output output, RunInfo info, TimeFormat time_format);
  Result<void> on_table(const TableInfo& table) override;
  Result<void> on_batch(const TableInfo& table, const vizierpb::RowBatchData& batch) override;
  Result<void> complete(const QueryStats& stats, double duration_ms) override;

 private:
  Result<void> write_header(const TableInfo* table);
  void append_rows(std::string& out, const TableInfo& table, const vizierpb::RowBatchData& batch,
                   bool& first_row);

  Output output_;
  RunInfo info_;
  TimeFormat time_format_;
  std::string first_id_;
  bool header_written_ = false;
  bool first_row_ = true;
  std::uint64_t rows_ = 0;
  struct Other {
    std::string name;
    std::vector<std::string> columns;
    std::string rows;
    bool first_row = true;
    std::uint64_t count = 0;
  };
  std::vector<std::string> order_;
  std::map<std::string, Other> others_;
};

class CsvWriter : public StreamWriter {
 public:
  CsvWriter(Output output, TimeFormat time_format);
  Result<void> on_table(const TableInfo& table) override;
  Result<void> on_batch(const TableInfo& table, const vizierpb::RowBatchData& batch) override;
  Result<void> complete(const QueryStats& stats, double duration_ms) override;

 private:
  void append_rows(std::string& out, const vizierpb::RowBatchData& batch);

  Output output_;
  TimeFormat time_format_;
  std::string first_id_;
  std::vector<std::string> order_;
  std::map<std::string, std::string> others_;  // table id -> buffered section
};

std::string csv_field(std::string_view text);
std::string json_columns(const TableInfo& table);  // [{"name":..,"type":..}, ...]
std::string_view type_name(vizierpb::DataType type);

// Every table kept in memory: for metric mapping and small API answers.
struct CollectedTable {
  TableInfo info;
  std::vector<vizierpb::Column> columns;  // concatenated over batches
  std::size_t rows = 0;
};

class TableCollector : public ResultSink {
 public:
  explicit TableCollector(std::size_t max_rows = 100'000) : max_rows_(max_rows) {}
  Result<void> on_table(const TableInfo& table) override;
  Result<void> on_batch(const TableInfo& table, const vizierpb::RowBatchData& batch) override;
  const std::vector<CollectedTable>& tables() const { return tables_; }

 private:
  std::size_t max_rows_;
  std::vector<CollectedTable> tables_;
};

}  // namespace observo::pixie
