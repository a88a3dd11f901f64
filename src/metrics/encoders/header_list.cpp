#include "metrics/encoders/header_list.h"

#include <cstddef>

namespace observo::metrics::detail {
namespace {

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

std::string_view next_item(std::string_view& rest, char separator) {
  bool quoted = false;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (quoted && c == '\\') {
      ++i;  // quoted-pair: the next character is literal
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == separator && !quoted) {
      const std::string_view item = rest.substr(0, i);
      rest.remove_prefix(i + 1);
      return item;
    }
  }
  const std::string_view item = rest;
  rest = {};
  return item;
}

Parameter parse_parameter(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) return {trim(text), {}};
  Parameter parameter{trim(text.substr(0, eq)), trim(text.substr(eq + 1))};
  if (parameter.value.size() >= 2 && parameter.value.front() == '"' &&
      parameter.value.back() == '"') {
    parameter.value = parameter.value.substr(1, parameter.value.size() - 2);
  }
  return parameter;
}

std::optional<double> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  const int whole = text[0] - '0';
  if (text.size() == 1) return whole;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int thousandths = 0;
  int scale = 100;
  for (std::size_t i = 2; i < text.size(); ++i, scale /= 10) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    thousandths += (text[i] - '0') * scale;
  }
  if (whole == 1 && thousandths != 0) return std::nullopt;
  return whole + thousandths / 1000.0;
}

}  // namespace observo::metrics::detail
