#include "sources/pixie/metrics_mapper.h"

#include <algorithm>
#include <cctype>

#include "sources/pixie/cells.h"

namespace observo::pixie {
namespace {

int column_index(const CollectedTable& table, const std::string& name) {
  for (std::size_t i = 0; i < table.info.columns.size(); ++i) {
    if (table.info.columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string label_value(const std::string& column, std::string value) {
  if (column == "pod" || column == "service") {
    const auto slash = value.find('/');
    if (slash != std::string::npos) value = value.substr(slash + 1);
  }
  return value;
}

bool is_label_type(vizierpb::DataType type) {
  return type == vizierpb::STRING || type == vizierpb::BOOLEAN;
}

}  // namespace

std::string metric_name_part(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front()))) out = "_" + out;
  return out;
}

std::vector<Sample> map_tables(const Script& script, const std::vector<CollectedTable>& tables,
                               const std::string& cluster_id) {
  std::vector<Sample> out;
  for (const auto& table : tables) {
    // Label columns: the script's list (mapped scripts) or every string column (generic).
    std::vector<std::pair<std::string, int>> labels;
    if (!script.metrics.empty() || !script.builtin) {
      for (const auto& name : script.labels) {
        const int index = column_index(table, name);
        if (index >= 0) labels.emplace_back(metric_name_part(name), index);
      }
    }
    if (script.metrics.empty()) {
      for (std::size_t i = 0; i < table.info.columns.size() && labels.size() < kMaxLabelColumns;
           ++i) {
        const auto& column = table.info.columns[i];
        if (!is_label_type(column.type)) continue;
        const auto name = metric_name_part(column.name);
        const bool present = std::any_of(labels.begin(), labels.end(),
                                         [&name](const auto& l) { return l.first == name; });
        if (!present) labels.emplace_back(name, static_cast<int>(i));
      }
    }
    for (std::size_t row = 0; row < table.rows; ++row) {
      const int r = static_cast<int>(row);
      std::vector<metrics::Label> base = {{"cluster_id", cluster_id}};
      for (const auto& [name, index] : labels) {
        const auto& column = table.columns[static_cast<std::size_t>(index)];
        base.push_back({name, label_value(name, cell_text(column, r, TimeFormat::kRfc3339))});
      }
      if (!script.metrics.empty()) {
        for (const auto& mapping : script.metrics) {
          const int index = column_index(table, mapping.column);
          double value = 0;
          if (index < 0 || !cell_number(table.columns[static_cast<std::size_t>(index)], r, value)) {
            continue;
          }
          auto labels_for = base;
          if (!mapping.quantile.empty()) labels_for.push_back({"quantile", mapping.quantile});
          out.push_back({mapping.metric, mapping.counter, mapping.help,
                         metrics::make_labels(std::move(labels_for)), value * mapping.scale});
        }
        continue;
      }
      for (std::size_t c = 0; c < table.info.columns.size(); ++c) {
        const auto& info = table.info.columns[c];
        if (info.type != vizierpb::INT64 && info.type != vizierpb::FLOAT64) continue;
        double value = 0;
        if (!cell_number(table.columns[c], r, value)) continue;
        out.push_back({"pixie_" + metric_name_part(script.name) + "_" + metric_name_part(info.name),
                       false, "Column " + info.name + " of script " + script.name + ".",
                       metrics::make_labels(base), value});
      }
    }
  }
  return out;
}

std::string series_key(const std::string& metric, const metrics::Labels& labels) {
  std::string key = metric;
  for (const auto& label : labels) key += '\x01' + label.name + '\x02' + label.value;
  return key;
}

metrics::Snapshot to_snapshot(const std::vector<Sample>& samples) {
  metrics::Snapshot snapshot;
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::size_t> positions;  // series_key -> index in its family
  for (const auto& sample : samples) {
    auto found = index.find(sample.metric);
    if (found == index.end()) {
      found = index.emplace(sample.metric, snapshot.families.size()).first;
      snapshot.families.push_back(
          {sample.metric,
           sample.help,
           sample.counter ? metrics::MetricType::kCounter : metrics::MetricType::kGauge,
           {}});
    }
    auto& family = snapshot.families[found->second];
    metrics::Series series;
    series.labels = sample.labels;
    series.value = sample.value;
    // Duplicate label sets in one result (two rows for one pod): counters add, gauges keep last.
    const auto [position, fresh] =
        positions.emplace(series_key(sample.metric, sample.labels), family.series.size());
    if (fresh) {
      family.series.push_back(std::move(series));
    } else if (sample.counter) {
      family.series[position->second].value += sample.value;
    } else {
      family.series[position->second].value = sample.value;
    }
  }
  return snapshot;
}

metrics::Snapshot CounterAccumulator::apply(const std::vector<Sample>& samples) {
  std::vector<Sample> gauges;
  for (auto& [key, entry] : counters_) ++entry.missed;
  for (const auto& sample : samples) {
    if (!sample.counter) {
      gauges.push_back(sample);
      continue;
    }
    auto& entry = counters_[series_key(sample.metric, sample.labels)];
    entry.metric = sample.metric;
    entry.labels = sample.labels;
    entry.help = sample.help;
    entry.value += sample.value;
    entry.missed = 0;
  }
  std::vector<Sample> all = std::move(gauges);
  for (auto it = counters_.begin(); it != counters_.end();) {
    if (it->second.missed >= kStaleRuns) {
      it = counters_.erase(it);
      continue;
    }
    all.push_back({it->second.metric, true, it->second.help, it->second.labels, it->second.value});
    ++it;
  }
  return to_snapshot(all);
}

}  // namespace observo::pixie
