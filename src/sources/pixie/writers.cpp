#include "sources/pixie/writers.h"

namespace observo::pixie {

std::string_view type_name(vizierpb::DataType type) {
  switch (type) {
    case vizierpb::BOOLEAN:
      return "BOOLEAN";
    case vizierpb::INT64:
      return "INT64";
    case vizierpb::UINT128:
      return "UINT128";
    case vizierpb::FLOAT64:
      return "FLOAT64";
    case vizierpb::STRING:
      return "STRING";
    case vizierpb::TIME64NS:
      return "TIME64NS";
    default:
      return "UNKNOWN";
  }
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string json_columns(const TableInfo& table) {
  std::string out = "[";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"name\":";
    append_json_string(out, sanitize_utf8(table.columns[i].name));
    out += ",\"type\":\"" + std::string(type_name(table.columns[i].type)) + "\"}";
  }
  return out + "]";
}

JsonWriter::JsonWriter(Output output, RunInfo info, TimeFormat time_format)
    : output_(std::move(output)), info_(std::move(info)), time_format_(time_format) {}

Result<void> JsonWriter::write_header(const TableInfo* table) {
  header_written_ = true;
  std::string out = "{\"query\":";
  append_json_string(out, sanitize_utf8(info_.query));
  out += ",\"executed_at\":";
  append_json_string(out, info_.executed_at);
  out += ",\"table\":";
  append_json_string(out, table ? sanitize_utf8(table->name) : "");
  out += ",\"columns\":" + (table ? json_columns(*table) : std::string("[]")) + ",\"data\":[";
  return output_(out);
}

void JsonWriter::append_rows(std::string& out, const TableInfo& table,
                             const vizierpb::RowBatchData& batch, bool& first_row) {
  std::vector<std::string> keys;
  for (const auto& column : table.columns) {
    std::string key;
    append_json_string(key, sanitize_utf8(column.name));
    keys.push_back(std::move(key));
  }
  for (int row = 0; row < batch.num_rows(); ++row) {
    out += first_row ? "{" : ",{";
    first_row = false;
    for (int c = 0; c < batch.cols_size(); ++c) {
      if (c > 0) out += ",";
      out += keys[static_cast<std::size_t>(c)];
      out += ":";
      append_cell_json(out, batch.cols(c), row, time_format_);
    }
    out += "}";
  }
}

Result<void> JsonWriter::on_table(const TableInfo& table) {
  if (first_id_.empty()) {
    first_id_ = table.id;
    return write_header(&table);
  }
  Other other;
  other.name = table.name;
  other.columns = {json_columns(table)};
  order_.push_back(table.id);
  others_.emplace(table.id, std::move(other));
  return {};
}

Result<void> JsonWriter::on_batch(const TableInfo& table, const vizierpb::RowBatchData& batch) {
  if (table.id == first_id_) {
    std::string out;
    append_rows(out, table, batch, first_row_);
    rows_ += static_cast<std::uint64_t>(batch.num_rows());
    return output_(out);
  }
  auto& other = others_[table.id];
  append_rows(other.rows, table, batch, other.first_row);
  other.count += static_cast<std::uint64_t>(batch.num_rows());
  return {};
}

Result<void> JsonWriter::complete(const QueryStats& stats, double duration_ms) {
  if (!header_written_) {
    if (auto written = write_header(nullptr); !written) return written;
  }
  std::string out = "],\"row_count\":" + std::to_string(rows_) + ",\"duration\":\"" +
                    float_text(duration_ms) + "ms\",\"query_id\":";
  append_json_string(out, stats.query_id);
  if (!order_.empty()) {
    out += ",\"tables\":[";
    bool first = true;
    for (const auto& id : order_) {
      const auto& other = others_[id];
      out += first ? "{\"name\":" : ",{\"name\":";
      first = false;
      append_json_string(out, sanitize_utf8(other.name));
      out += ",\"columns\":" + other.columns.front() +
             ",\"row_count\":" + std::to_string(other.count) + ",\"data\":[" + other.rows + "]}";
    }
    out += "]";
  }
  out += "}\n";
  return output_(out);
}

CsvWriter::CsvWriter(Output output, TimeFormat time_format)
    : output_(std::move(output)), time_format_(time_format) {}

Result<void> CsvWriter::on_table(const TableInfo& table) {
  std::string header;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) header += ",";
    header += csv_field(sanitize_utf8(table.columns[i].name));
  }
  header += "\n";
  if (first_id_.empty()) {
    first_id_ = table.id;
    return output_(header);
  }
  order_.push_back(table.id);
  others_[table.id] = "\n# table: " + sanitize_utf8(table.name) + "\n" + header;
  return {};
}

void CsvWriter::append_rows(std::string& out, const vizierpb::RowBatchData& batch) {
  for (int row = 0; row < batch.num_rows(); ++row) {
    for (int c = 0; c < batch.cols_size(); ++c) {
      if (c > 0) out += ",";
      out += csv_field(cell_text(batch.cols(c), row, time_format_));
    }
    out += "\n";
  }
}

Result<void> CsvWriter::on_batch(const TableInfo& table, const vizierpb::RowBatchData& batch) {
  if (table.id == first_id_) {
    std::string out;
    append_rows(out, batch);
    return output_(out);
  }
  append_rows(others_[table.id], batch);
  return {};
}

Result<void> CsvWriter::complete(const QueryStats&, double) {
  for (const auto& id : order_) {
    if (auto written = output_(others_[id]); !written) return written;
  }
  return {};
}

Result<void> TableCollector::on_table(const TableInfo& table) {
  CollectedTable collected;
  collected.info = table;
  collected.columns.resize(table.columns.size());
  tables_.push_back(std::move(collected));
  return {};
}

Result<void> TableCollector::on_batch(const TableInfo& table, const vizierpb::RowBatchData& batch) {
  for (auto& collected : tables_) {
    if (collected.info.id != table.id) continue;
    collected.rows += static_cast<std::size_t>(batch.num_rows());
    if (collected.rows > max_rows_) {
      return make_error("table '" + table.name + "' has more than " + std::to_string(max_rows_) +
                        " rows");
    }
    for (int c = 0; c < batch.cols_size(); ++c) {
      collected.columns[static_cast<std::size_t>(c)].MergeFrom(batch.cols(c));
    }
    return {};
  }
  return make_error("batch for a table that was never announced");
}

}  // namespace observo::pixie
