#include "sources/pixie/decoder.h"

namespace observo::pixie {
namespace {

vizierpb::Column::ColDataCase expected_case(vizierpb::DataType type) {
  switch (type) {
    case vizierpb::BOOLEAN:
      return vizierpb::Column::kBooleanData;
    case vizierpb::INT64:
      return vizierpb::Column::kInt64Data;
    case vizierpb::UINT128:
      return vizierpb::Column::kUint128Data;
    case vizierpb::FLOAT64:
      return vizierpb::Column::kFloat64Data;
    case vizierpb::STRING:
      return vizierpb::Column::kStringData;
    case vizierpb::TIME64NS:
      return vizierpb::Column::kTime64NsData;
    default:
      return vizierpb::Column::COL_DATA_NOT_SET;
  }
}

std::int64_t column_length(const vizierpb::Column& column) {
  switch (column.col_data_case()) {
    case vizierpb::Column::kBooleanData:
      return column.boolean_data().data_size();
    case vizierpb::Column::kInt64Data:
      return column.int64_data().data_size();
    case vizierpb::Column::kUint128Data:
      return column.uint128_data().data_size();
    case vizierpb::Column::kFloat64Data:
      return column.float64_data().data_size();
    case vizierpb::Column::kStringData:
      return column.string_data().data_size();
    case vizierpb::Column::kTime64NsData:
      return column.time64ns_data().data_size();
    default:
      return -1;
  }
}

}  // namespace

Failure failure_from_status(const vizierpb::Status& status) {
  if (status.code() == 0) return {};
  std::string compile;
  for (const auto& detail : status.error_details()) {
    if (!detail.has_compiler_error()) continue;
    const auto& error = detail.compiler_error();
    if (!compile.empty()) compile += "\n";
    compile += "compile error: " + std::to_string(error.line()) + ":" +
               std::to_string(error.column()) + ": " + error.message();
  }
  if (!compile.empty()) return {FailureKind::kCompile, compile};
  const std::string text = "query failed with status " + std::to_string(status.code()) +
                           (status.message().empty() ? "" : ": " + status.message());
  if (status.code() == 3) return {FailureKind::kInvalidArgument, text};
  return {FailureKind::kStatus, text};
}

bool ResponseDecoder::fail(FailureKind kind, std::string message) {
  if (failure_.kind == FailureKind::kNone) failure_ = {kind, std::move(message)};
  return false;
}

bool ResponseDecoder::feed(const vizierpb::ExecuteScriptResponse& response) {
  if (failure_.kind != FailureKind::kNone) return false;
  if (!response.query_id().empty()) stats_.query_id = response.query_id();
  if (response.has_status() && response.status().code() != 0) {
    auto failure = failure_from_status(response.status());
    return fail(failure.kind, std::move(failure.message));
  }
  if (response.has_meta_data()) return on_meta(response.meta_data());
  if (response.has_data()) {
    const auto& data = response.data();
    if (!data.encrypted_batch().empty()) {
      return fail(FailureKind::kProtocol,
                  "received an encrypted batch; observo does not request encryption");
    }
    if (data.has_execution_stats()) {
      const auto& s = data.execution_stats();
      stats_.execution_time_ns = s.timing().execution_time_ns();
      stats_.compilation_time_ns = s.timing().compilation_time_ns();
      stats_.bytes_processed = s.bytes_processed();
      stats_.records_processed = s.records_processed();
    }
    if (data.has_batch()) return on_batch(data.batch());
  }
  return true;
}

bool ResponseDecoder::on_meta(const vizierpb::QueryMetadata& meta) {
  if (meta.id().empty()) return fail(FailureKind::kProtocol, "table metadata without an id");
  if (tables_.count(meta.id()) != 0) {
    return fail(FailureKind::kProtocol, "metadata for table '" + meta.name() + "' sent twice");
  }
  TableInfo table;
  table.id = meta.id();
  table.name = meta.name().empty() ? "output" : meta.name();
  for (const auto& column : meta.relation().columns()) {
    if (expected_case(column.column_type()) == vizierpb::Column::COL_DATA_NOT_SET) {
      return fail(FailureKind::kProtocol, "table '" + table.name + "' column '" +
                                              column.column_name() + "' has an unknown type " +
                                              std::to_string(column.column_type()));
    }
    table.columns.push_back(
        {column.column_name(), column.column_type(), column.column_semantic_type()});
  }
  auto [it, inserted] = tables_.emplace(table.id, std::move(table));
  if (auto sunk = sink_.on_table(it->second); !sunk) return fail(FailureKind::kSink, sunk.error());
  return true;
}

bool ResponseDecoder::on_batch(const vizierpb::RowBatchData& batch) {
  const auto found = tables_.find(batch.table_id());
  if (found == tables_.end()) {
    return fail(FailureKind::kProtocol, "batch for unknown table id '" + batch.table_id() + "'");
  }
  auto& table = found->second;
  if (table.ended) {
    return fail(FailureKind::kProtocol, "data after end of stream for table '" + table.name + "'");
  }
  if (batch.num_rows() < 0) {
    return fail(FailureKind::kProtocol, "negative num_rows in table '" + table.name + "'");
  }
  const bool empty_eos = batch.eos() && batch.num_rows() == 0 && batch.cols_size() == 0;
  if (!empty_eos) {
    if (batch.cols_size() != static_cast<int>(table.columns.size())) {
      return fail(FailureKind::kProtocol,
                  "batch for table '" + table.name + "' has " + std::to_string(batch.cols_size()) +
                      " columns, its relation has " + std::to_string(table.columns.size()));
    }
    for (int i = 0; i < batch.cols_size(); ++i) {
      const auto& column = batch.cols(i);
      const auto& info = table.columns[static_cast<std::size_t>(i)];
      if (column.col_data_case() != expected_case(info.type)) {
        return fail(FailureKind::kProtocol, "column '" + info.name + "' of table '" + table.name +
                                                "' does not hold its declared type");
      }
      if (column_length(column) != batch.num_rows()) {
        return fail(FailureKind::kProtocol, "column '" + info.name + "' of table '" + table.name +
                                                "' has " + std::to_string(column_length(column)) +
                                                " values for num_rows " +
                                                std::to_string(batch.num_rows()));
      }
    }
    if (batch.num_rows() > 0) {
      if (auto sunk = sink_.on_batch(table, batch); !sunk) {
        return fail(FailureKind::kSink, sunk.error());
      }
    }
    table.rows += static_cast<std::uint64_t>(batch.num_rows());
    stats_.rows_received += static_cast<std::uint64_t>(batch.num_rows());
  }
  if (batch.eos()) table.ended = true;
  return true;
}

bool ResponseDecoder::finish() {
  if (failure_.kind != FailureKind::kNone) return false;
  for (const auto& [id, table] : tables_) {
    if (!table.ended) {
      return fail(FailureKind::kProtocol,
                  "the stream closed before the end of table '" + table.name + "'");
    }
  }
  if (auto sunk = sink_.on_end(); !sunk) return fail(FailureKind::kSink, sunk.error());
  return true;
}

}  // namespace observo::pixie
