// CSV for people who open metrics in a spreadsheet or load them with pandas: one row per
// sample line, one column per label name seen anywhere in the exposition (RFC 4180, CRLF).
// The header needs every label name before the first row, so this encoder walks the
// exposition twice; it is not on Prometheus's scrape path.
#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/encoders/escape.h"
#include "metrics/encoders/number.h"
#include "metrics/encoders/output_buffer.h"
#include "metrics/encoders/sample_lines.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

using detail::put;

constexpr std::string_view kCrlf = "\r\n";

std::size_t field_bound(std::string_view field) {
  return detail::kCsvExpansion * field.size() + detail::kCsvQuotes;
}

bool same_names(const Labels& a, const Labels& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const Label& x, const Label& y) { return x.name == y.name; });
}

// Every label name in the exposition (including le and quantile), sorted.
std::vector<std::string_view> label_columns(const Exposition& exposition) {
  std::set<std::string_view> names;
  for (const FamilyView& view : exposition.families) {
    if (view.meta == nullptr) continue;
    if (view.meta->type == MetricType::kHistogram) names.insert("le");
    if (view.meta->type == MetricType::kSummary) names.insert("quantile");
    const Labels* previous = nullptr;
    detail::for_each_series(view, [&](const Series& series) {
      // Series of one family nearly always share their label names: skip the set lookups.
      if (previous != nullptr && same_names(*previous, series.labels)) return;
      for (const Label& label : series.labels) names.insert(label.name);
      previous = &series.labels;
    });
  }
  return {names.begin(), names.end()};
}

class CsvWriter {
 public:
  CsvWriter(std::string& out, std::vector<std::string_view> columns)
      : out_(out), columns_(std::move(columns)), cells_(columns_.size()) {}

  void write_header() {
    out_.append("metric,type");
    for (std::string_view column : columns_) {
      char* p = out_.ensure(field_bound(column) + detail::kEscapeSlack + 1);
      *p++ = ',';
      out_.commit(detail::write_csv_field(p, column));
    }
    out_.append(",value");
    out_.append(kCrlf);
  }

  void write_row(const FamilyView& view, const detail::SampleLine& line) {
    std::fill(cells_.begin(), cells_.end(), std::string_view{});
    std::size_t bound = field_bound(view.meta->name) + line.suffix.size() +
                        type_name(view.meta->type).size() + columns_.size() +
                        detail::kMaxNumberLength + detail::kEscapeSlack + 8;
    for (const Label& label : line.series->labels) {
      if (!line.shadowed(label)) bound += set_cell(label.name, label.value);
    }
    if (!line.extra_name.empty()) bound += set_cell(line.extra_name, line.extra_value);

    name_.assign(view.meta->name);
    name_.append(line.suffix);
    char* p = out_.ensure(bound);
    p = detail::write_csv_field(p, name_);
    *p++ = ',';
    p = put(p, type_name(view.meta->type));
    for (std::string_view cell : cells_) {
      *p++ = ',';
      p = detail::write_csv_field(p, cell);
    }
    *p++ = ',';
    p = detail::write_number(p, line.value);
    p = put(p, kCrlf);
    out_.commit(p);
  }

  void finish() { out_.finish(); }

 private:
  // Returns the room the cell needs.
  std::size_t set_cell(std::string_view name, std::string_view value) {
    const auto it = std::lower_bound(columns_.begin(), columns_.end(), name);
    if (it == columns_.end() || *it != name) return 0;
    cells_[static_cast<std::size_t>(it - columns_.begin())] = value;
    return field_bound(value);
  }

  detail::OutputBuffer out_;
  std::vector<std::string_view> columns_;
  std::vector<std::string_view> cells_;  // values of the current row, by column
  std::string name_;
};

}  // namespace

void encode_csv(const Exposition& exposition, std::string& out) {
  std::vector<std::string_view> columns = label_columns(exposition);
  // A row holds the label values (no names) and one comma per column.
  out.reserve(out.size() + detail::estimate_size(exposition, 1, 24 + columns.size()));
  CsvWriter writer(out, std::move(columns));
  writer.write_header();
  for (const FamilyView& view : exposition.families) {
    if (view.meta == nullptr) continue;
    detail::for_each_sample(view,
                            [&](const detail::SampleLine& line) { writer.write_row(view, line); });
  }
  writer.finish();
}

}  // namespace observo::metrics
