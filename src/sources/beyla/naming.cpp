#include "sources/beyla/naming.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace observo::beyla {
namespace {

bool is_metric_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(kSpace);
  return s.substr(first, last - first + 1);
}

// UCUM units (as OpenTelemetry semantic conventions use them) to Prometheus base-unit words.
std::string_view main_unit_word(std::string_view unit) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 26> kUnits = {{
      {"d", "days"},
      {"h", "hours"},
      {"min", "minutes"},
      {"s", "seconds"},
      {"ms", "milliseconds"},
      {"us", "microseconds"},
      {"ns", "nanoseconds"},
      {"By", "bytes"},
      {"KiBy", "kibibytes"},
      {"MiBy", "mebibytes"},
      {"GiBy", "gibibytes"},
      {"TiBy", "tibibytes"},
      {"KBy", "kilobytes"},
      {"MBy", "megabytes"},
      {"GBy", "gigabytes"},
      {"TBy", "terabytes"},
      {"m", "meters"},
      {"V", "volts"},
      {"A", "amperes"},
      {"J", "joules"},
      {"W", "watts"},
      {"g", "grams"},
      {"Cel", "celsius"},
      {"Hz", "hertz"},
      {"1", ""},
      {"%", "percent"},
  }};
  for (const auto& [from, to] : kUnits) {
    if (from == unit) return to;
  }
  return unit;
}

std::string_view per_unit_word(std::string_view unit) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kUnits = {{
      {"s", "second"},
      {"m", "minute"},
      {"h", "hour"},
      {"d", "day"},
      {"w", "week"},
      {"mo", "month"},
      {"y", "year"},
  }};
  for (const auto& [from, to] : kUnits) {
    if (from == unit) return to;
  }
  return unit;
}

struct UnitParts {
  std::string main;  // "seconds"; "" when none
  std::string per;   // "per_second"; "" when none
};

// The unit split at its first `/`; a part in braces (`{packets}`) names no unit.
UnitParts unit_parts(std::string_view unit) {
  UnitParts parts;
  const auto slash = unit.find('/');
  const std::string_view main = trim_space(unit.substr(0, slash));
  if (!main.empty() && main.find_first_of("{}") == std::string_view::npos) {
    parts.main = std::string(main_unit_word(main));
  }
  if (slash != std::string_view::npos && slash + 1 < unit.size()) {
    const std::string_view per = trim_space(unit.substr(slash + 1));
    if (!per.empty() && per.find_first_of("{}") == std::string_view::npos) {
      const std::string_view word = per_unit_word(per);
      if (!word.empty()) parts.per = "per_" + std::string(word);
    }
  }
  return parts;
}

// Invalid characters to `_`, runs of `_` collapsed, a leading `_` dropped.
std::string clean_unit(std::string_view unit) {
  std::string out;
  out.reserve(unit.size());
  for (const char c : unit) {
    const char mapped = is_metric_char(c) ? c : '_';
    if (mapped == '_' && (out.empty() || out.back() == '_')) continue;
    out += mapped;
  }
  return out;
}

void trim_suffix(std::string& s, char c) {
  if (!s.empty() && s.back() == c) s.pop_back();
}

bool contains(const std::vector<std::string_view>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

void move_to_end(std::vector<std::string_view>& words, std::string_view word) {
  words.erase(std::remove(words.begin(), words.end(), word), words.end());
  words.push_back(word);
}

}  // namespace

std::string prometheus_metric_name(std::string_view name, std::string_view unit, MetricKind kind) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || !is_metric_char(name[i])) {
      if (i > start) words.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }

  const UnitParts parts = unit_parts(unit);
  std::string main = clean_unit(parts.main);
  std::string per = clean_unit(parts.per);
  if (contains(words, main)) main.clear();
  if (per == "per_") {
    per.clear();
  } else {
    trim_suffix(per, '_');
    if (contains(words, per)) per.clear();
  }
  if (!per.empty()) trim_suffix(main, '_');
  if (!main.empty()) words.push_back(main);
  if (!per.empty()) words.push_back(per);

  if (kind == MetricKind::kMonotonicSum) move_to_end(words, "total");
  if (unit == "1" && kind == MetricKind::kGauge) move_to_end(words, "ratio");

  std::string out;
  for (const auto word : words) {
    if (!out.empty()) out += '_';
    out += word;
  }
  if (!out.empty() && is_digit(out.front())) out.insert(out.begin(), '_');
  if (out.find_first_not_of('_') == std::string::npos) return {};
  return out;
}

std::string prometheus_unit(std::string_view unit) {
  const UnitParts parts = unit_parts(unit);
  const std::string main = clean_unit(parts.main);
  const std::string per = clean_unit(parts.per);
  std::string out = main.empty() ? per : per.empty() ? main : main + "_" + per;
  if (!out.empty() && out.front() == '_') out.erase(out.begin());
  trim_suffix(out, '_');
  return out;
}

std::string prometheus_label_name(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 4);
  for (const char c : key) {
    const char mapped = is_label_char(c) ? c : '_';
    if (mapped == '_' && !out.empty() && out.back() == '_') continue;
    out += mapped;
  }
  if (out.empty()) return out;
  if (is_digit(out.front())) {
    out.insert(0, "key_");
  } else if (out.front() == '_') {
    out.insert(0, "key");
  }
  return out;
}

}  // namespace observo::beyla
