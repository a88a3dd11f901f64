#include "sources/beyla/prom_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace observo::beyla {
namespace {

using metrics::Family;
using metrics::Label;
using metrics::MetricType;
using metrics::Series;
using metrics::Snapshot;

// What a sample name means inside the family it belongs to.
enum class Role { kValue, kBucket, kSum, kCount, kDrop };

// The TYPE as written; several map onto one MetricType of the Snapshot.
enum class Declared {
  kUntyped,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

struct SeriesState {
  bool has_count = false;
  bool has_inf = false;
  double inf_count = 0;
};

struct FamilyState {
  Family family;
  Declared declared = Declared::kUntyped;
  bool typed = false;
  bool has_samples = false;
  StringMap<std::size_t> series_index;  // label key -> index in family.series
  std::vector<SeriesState> states;
};

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::optional<double> parse_double(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text[0] == '+') {
    text.remove_prefix(1);
    if (text.empty() || text[0] == '-' || text[0] == '+') return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string format_double(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

Declared parse_type(std::string_view word, bool* ok) {
  *ok = true;
  if (word == "counter") return Declared::kCounter;
  if (word == "gauge") return Declared::kGauge;
  if (word == "histogram") return Declared::kHistogram;
  if (word == "gaugehistogram") return Declared::kGaugeHistogram;
  if (word == "summary") return Declared::kSummary;
  if (word == "untyped" || word == "unknown") return Declared::kUntyped;
  if (word == "info") return Declared::kInfo;
  if (word == "stateset") return Declared::kStateset;
  *ok = false;
  return Declared::kUntyped;
}

MetricType to_metric_type(Declared declared) {
  switch (declared) {
    case Declared::kCounter:
      return MetricType::kCounter;
    case Declared::kGauge:
    case Declared::kInfo:
    case Declared::kStateset:
      return MetricType::kGauge;
    case Declared::kHistogram:
    case Declared::kGaugeHistogram:
      return MetricType::kHistogram;
    case Declared::kSummary:
      return MetricType::kSummary;
    case Declared::kUntyped:
      break;
  }
  return MetricType::kUntyped;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A cursor over one line.
struct Cursor {
  std::string_view line;
  std::size_t pos = 0;
  bool done() const { return pos >= line.size(); }
  char peek() const { return line[pos]; }
  void skip_blanks() {
    while (pos < line.size() && is_blank(line[pos])) ++pos;
  }
  std::string_view word() {  // up to the next blank
    const std::size_t start = pos;
    while (pos < line.size() && !is_blank(line[pos])) ++pos;
    return line.substr(start, pos - start);
  }
  std::string_view name(bool colon_ok) {
    const std::size_t start = pos;
    if (pos < line.size() && is_name_start(line[pos]) && (colon_ok || line[pos] != ':')) {
      ++pos;
      while (pos < line.size() && is_name_char(line[pos]) && (colon_ok || line[pos] != ':')) ++pos;
    }
    return line.substr(start, pos - start);
  }
};

class Parser {
 public:
  explicit Parser(const PromParseLimits& limits) : limits_(limits) {}

  Result<Snapshot> run(std::string_view page) {
    std::size_t pos = 0;
    while (pos < page.size()) {
      ++line_no_;
      std::size_t nl = page.find('\n', pos);
      if (nl == std::string_view::npos) nl = page.size();
      std::string_view line = page.substr(pos, nl - pos);
      pos = nl + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      Cursor cur{line};
      cur.skip_blanks();
      if (cur.done()) continue;
      bool eof = false;
      const bool ok = cur.peek() == '#' ? comment(cur, &eof) : sample(cur);
      if (!ok) return make_error("line " + std::to_string(line_no_) + ": " + error_);
      if (eof) break;
    }
    return finish();
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool check_name(std::string_view name, const char* what) {
    if (name.empty()) return fail(std::string("expected a ") + what);
    if (name.size() > limits_.max_name_bytes)
      return fail(std::string(what) + " longer than " + std::to_string(limits_.max_name_bytes) +
                  " bytes");
    return true;
  }

  // The family declared (by HELP, TYPE or a first sample) under `name`.
  std::optional<std::size_t> family_for(std::string_view name) {
    if (auto it = by_declared_.find(name); it != by_declared_.end()) return it->second;
    if (families_.size() >= limits_.max_families) {
      fail("more than " + std::to_string(limits_.max_families) + " metric families");
      return std::nullopt;
    }
    const std::size_t index = families_.size();
    families_.emplace_back();
    families_.back().family.name = std::string(name);
    by_declared_.emplace(std::string(name), index);
    by_sample_[std::string(name)] = {index, Role::kValue};
    return index;
  }

  bool comment(Cursor& cur, bool* eof) {
    ++cur.pos;  // '#'
    cur.skip_blanks();
    const std::string_view keyword = cur.word();
    if (keyword == "EOF") {
      *eof = true;
      return true;
    }
    if (keyword != "HELP" && keyword != "TYPE") return true;  // # UNIT and plain comments
    cur.skip_blanks();
    const std::string_view name = cur.name(true);
    if (!check_name(name, (std::string(keyword) + " metric name").c_str())) return false;
    if (!cur.done() && !is_blank(cur.peek()))
      return fail("bad character in metric name after '" + std::string(name) + "'");
    const auto index = family_for(name);
    if (!index) return false;
    FamilyState& state = families_[*index];
    if (keyword == "HELP") {
      if (!cur.done()) ++cur.pos;  // the one blank before the text
      state.family.help = unescape_help(cur.line.substr(cur.pos));
      return true;
    }
    cur.skip_blanks();
    const std::string_view word = cur.word();
    cur.skip_blanks();
    if (!cur.done()) return fail("unexpected text after the TYPE of " + std::string(name));
    bool known = false;
    const Declared declared = parse_type(word, &known);
    if (!known) return fail("unknown metric type '" + std::string(word) + "'");
    if (state.typed) return fail("second TYPE line for " + std::string(name));
    if (state.has_samples) return fail("TYPE of " + std::string(name) + " after its samples");
    state.typed = true;
    state.declared = declared;
    state.family.type = to_metric_type(declared);
    declare_samples(*index, name, declared);
    return true;
  }

  void declare_samples(std::size_t index, std::string_view name, Declared declared) {
    const std::string base(name);
    by_sample_.erase(base);
    auto add = [&](std::string sample, Role role) {
      by_sample_[std::move(sample)] = {index, role};
    };
    Family& family = families_[index].family;
    switch (declared) {
      case Declared::kCounter:
        if (ends_with(base, "_total")) {
          add(base, Role::kValue);
          add(base.substr(0, base.size() - 6) + "_created", Role::kDrop);
        } else {
          family.name = base + "_total";
          add(base + "_total", Role::kValue);
          add(base, Role::kValue);
          add(base + "_created", Role::kDrop);
        }
        break;
      case Declared::kHistogram:
      case Declared::kGaugeHistogram:
        add(base + "_bucket", Role::kBucket);
        add(base + "_sum", Role::kSum);
        add(base + "_count", Role::kCount);
        add(base + "_gsum", Role::kSum);
        add(base + "_gcount", Role::kCount);
        add(base + "_created", Role::kDrop);
        break;
      case Declared::kSummary:
        add(base, Role::kValue);
        add(base + "_sum", Role::kSum);
        add(base + "_count", Role::kCount);
        add(base + "_created", Role::kDrop);
        break;
      case Declared::kInfo:
        family.name = base + "_info";
        add(base + "_info", Role::kValue);
        break;
      case Declared::kGauge:
      case Declared::kStateset:
      case Declared::kUntyped:
        add(base, Role::kValue);
        break;
    }
  }

  static std::string unescape_help(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        const char next = text[i + 1];
        if (next == 'n' || next == '\\' || next == '"') {
          out.push_back(next == 'n' ? '\n' : next);
          ++i;
          continue;
        }
      }
      out.push_back(text[i]);
    }
    return out;
  }

  bool labels(Cursor& cur) {
    labels_used_ = 0;
    ++cur.pos;  // '{'
    for (;;) {
      cur.skip_blanks();
      if (cur.done()) return fail("unterminated label set");
      if (cur.peek() == '}') {
        ++cur.pos;
        return true;
      }
      const std::string_view name = cur.name(false);
      if (name.empty()) return fail("bad label name at column " + std::to_string(cur.pos + 1));
      if (!check_name(name, "label name")) return false;
      if (name.starts_with("__")) return fail("label name '" + std::string(name) + "' is reserved");
      if (labels_used_ >= limits_.max_labels)
        return fail("more than " + std::to_string(limits_.max_labels) + " labels");
      if (labels_used_ == scratch_.size()) scratch_.emplace_back();
      Label& label = scratch_[labels_used_++];
      label.name.assign(name);
      cur.skip_blanks();
      if (cur.done() || cur.peek() != '=')
        return fail("expected '=' after label name '" + label.name + "'");
      ++cur.pos;
      cur.skip_blanks();
      if (cur.done() || cur.peek() != '"') return fail("label value not quoted");
      ++cur.pos;
      if (!label_value(cur, label)) return false;
      cur.skip_blanks();
      if (cur.done()) return fail("unterminated label set");
      if (!cur.done() && cur.peek() == ',') {
        ++cur.pos;
      } else if (cur.done() || cur.peek() != '}') {
        return fail("expected ',' or '}' after the value of label '" + label.name + "'");
      }
    }
  }

  bool label_value(Cursor& cur, Label& label) {
    label.value.clear();
    const std::string_view line = cur.line;
    for (;;) {
      const std::size_t stop = line.find_first_of("\"\\", cur.pos);
      if (stop == std::string_view::npos) return fail("unterminated label value");
      label.value.append(line.substr(cur.pos, stop - cur.pos));
      cur.pos = stop + 1;
      if (line[stop] == '"') break;
      if (cur.pos >= line.size()) return fail("unterminated label value");
      const char next = line[cur.pos++];
      if (next == 'n') {
        label.value.push_back('\n');
      } else if (next == '\\' || next == '"') {
        label.value.push_back(next);
      } else {  // not an escape: kept as written, as Prometheus does
        label.value.push_back('\\');
        label.value.push_back(next);
      }
      if (label.value.size() > limits_.max_label_value_bytes) break;
    }
    if (label.value.size() > limits_.max_label_value_bytes)
      return fail("value of label '" + label.name + "' longer than " +
                  std::to_string(limits_.max_label_value_bytes) + " bytes");
    return true;
  }

  bool sample(Cursor& cur) {
    if (++samples_ > limits_.max_samples)
      return fail("more than " + std::to_string(limits_.max_samples) + " samples");
    const std::string_view name = cur.name(true);
    if (name.empty()) return fail("expected a metric name or a comment");
    if (!check_name(name, "metric name")) return false;
    labels_used_ = 0;
    if (!cur.done() && cur.peek() == '{') {
      if (!labels(cur)) return false;
    }
    if (cur.done() || !is_blank(cur.peek())) {
      return cur.done() ? fail("no value for " + std::string(name))
                        : fail("bad character '" + std::string(1, cur.peek()) +
                               "' after metric name " + std::string(name));
    }
    cur.skip_blanks();
    const std::string_view value_text = cur.word();
    const auto value = parse_double(value_text);
    if (!value) return fail("bad value '" + std::string(value_text) + "'");
    cur.skip_blanks();
    if (!cur.done() && cur.peek() != '#') {
      const std::string_view ts = cur.word();  // ignored, but must be a number
      if (!parse_double(ts)) return fail("bad timestamp '" + std::string(ts) + "'");
      cur.skip_blanks();
      if (!cur.done() && cur.peek() != '#') return fail("unexpected text after the timestamp");
    }
    return add_sample(name, *value);
  }

  // Removes label `special` from the scratch labels and parses its value.
  bool take_special(const char* special, std::optional<double>* out) {
    for (std::size_t i = 0; i < labels_used_; ++i) {
      if (scratch_[i].name != special) continue;
      *out = parse_double(scratch_[i].value);
      if (!*out) return fail("bad " + std::string(special) + " value '" + scratch_[i].value + "'");
      std::swap(scratch_[i], scratch_[labels_used_ - 1]);
      --labels_used_;
      return true;
    }
    return true;
  }

  bool add_sample(std::string_view name, double value) {
    std::size_t index = 0;
    Role role = Role::kValue;
    if (auto it = by_sample_.find(name); it != by_sample_.end()) {
      std::tie(index, role) = it->second;
    } else {
      const auto created = family_for(name);
      if (!created) return false;
      index = *created;
      if (families_[index].typed)
        return fail("sample " + std::string(name) + " does not belong to the family of its TYPE");
    }
    FamilyState& state = families_[index];
    state.has_samples = true;
    if (role == Role::kDrop) return true;

    std::optional<double> special;
    if (role == Role::kBucket) {
      if (!take_special("le", &special)) return false;
      if (!special) return fail("histogram bucket " + std::string(name) + " without le label");
    } else if (role == Role::kValue && state.declared == Declared::kSummary) {
      if (!take_special("quantile", &special)) return false;
      if (!special) return fail("summary sample " + std::string(name) + " without quantile label");
    }
    auto used = scratch_.begin() + static_cast<std::ptrdiff_t>(labels_used_);
    std::sort(scratch_.begin(), used,
              [](const Label& a, const Label& b) { return a.name < b.name; });
    key_.clear();
    for (auto it = scratch_.begin(); it != used; ++it) {
      if (it != scratch_.begin() && (it - 1)->name == it->name)
        return fail("label '" + it->name + "' repeated");
      key_.append(it->name);
      key_.push_back('\0');
      key_.append(std::to_string(it->value.size()));
      key_.push_back('\0');
      key_.append(it->value);
    }
    auto [slot, inserted] = state.series_index.try_emplace(key_, state.family.series.size());
    if (inserted) {
      if (series_ >= limits_.max_series)
        return fail("more than " + std::to_string(limits_.max_series) + " series");
      ++series_;
      state.family.series.emplace_back();
      state.family.series.back().labels.assign(scratch_.begin(), used);
      state.states.emplace_back();
    }
    Series& series = state.family.series[slot->second];
    SeriesState& flags = state.states[slot->second];
    const bool simple = state.declared != Declared::kHistogram &&
                        state.declared != Declared::kGaugeHistogram &&
                        state.declared != Declared::kSummary;
    if (simple && !inserted) return fail("duplicate series for " + std::string(name));
    switch (role) {
      case Role::kValue:
        if (special) {
          series.quantiles.push_back({*special, value});
        } else {
          series.value = value;
        }
        break;
      case Role::kBucket:
        if (std::isinf(*special) && *special > 0) {
          flags.has_inf = true;
          flags.inf_count = value;
        } else if (std::isfinite(*special)) {
          series.buckets.push_back({*special, value});
        }
        break;
      case Role::kSum:
        series.sum = value;
        break;
      case Role::kCount:
        series.count = value;
        flags.has_count = true;
        break;
      case Role::kDrop:
        break;
    }
    return true;
  }

  Result<Snapshot> finish() {
    Snapshot snapshot;
    snapshot.families.reserve(families_.size());
    for (FamilyState& state : families_) {
      if (state.family.series.empty()) continue;
      for (std::size_t i = 0; i < state.family.series.size(); ++i) {
        Series& series = state.family.series[i];
        const SeriesState& flags = state.states[i];
        std::sort(series.buckets.begin(), series.buckets.end(),
                  [](const auto& a, const auto& b) { return a.upper_bound < b.upper_bound; });
        std::sort(series.quantiles.begin(), series.quantiles.end(),
                  [](const auto& a, const auto& b) { return a.quantile < b.quantile; });
        for (std::size_t b = 1; b < series.buckets.size(); ++b) {
          if (series.buckets[b].upper_bound == series.buckets[b - 1].upper_bound)
            return make_error("histogram " + state.family.name + ": bucket le=" +
                              format_double(series.buckets[b].upper_bound) + " repeated");
        }
        if (!flags.has_count) {
          series.count = flags.has_inf            ? flags.inf_count
                         : series.buckets.empty() ? series.count
                                                  : series.buckets.back().cumulative_count;
        }
      }
      snapshot.families.push_back(std::move(state.family));
    }
    return snapshot;
  }

  const PromParseLimits& limits_;
  std::vector<FamilyState> families_;
  StringMap<std::size_t> by_declared_;
  StringMap<std::pair<std::size_t, Role>> by_sample_;
  std::vector<Label> scratch_;
  std::size_t labels_used_ = 0;
  std::string key_;
  std::string error_;
  std::size_t line_no_ = 0;
  std::size_t samples_ = 0;
  std::size_t series_ = 0;
};

}  // namespace

Result<metrics::Snapshot> parse_prometheus_text(std::string_view page,
                                                const PromParseLimits& limits) {
  return Parser(limits).run(page);
}

}  // namespace observo::beyla
