#include "metrics/encoders/escape.h"

namespace observo::metrics::detail {
namespace {

using PrometheusHelpEscaping = Escaping<false, '\\', '\n'>;
using OpenMetricsHelpEscaping = Escaping<false, '\\', '"', '\n'>;
using JsonEscaping = Escaping<true, '\\', '"'>;
using CsvQuotedEscaping = Escaping<false, '"'>;
using Utf8Only = Escaping<false>;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

char* write_pair(char* p, char a, char b) {
  p[0] = a;
  p[1] = b;
  return p + 2;
}

char* escape_json(char* p, char c) {
  switch (c) {
    case '\\':
      return write_pair(p, '\\', '\\');
    case '"':
      return write_pair(p, '\\', '"');
    case '\n':
      return write_pair(p, '\\', 'n');
    case '\r':
      return write_pair(p, '\\', 'r');
    case '\t':
      return write_pair(p, '\\', 't');
    default:
      break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const auto byte = static_cast<unsigned char>(c);
  const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
  std::memcpy(p, escaped, sizeof(escaped));
  return p + sizeof(escaped);
}

char* escape_nothing(char* p, char c) {
  *p = c;
  return p + 1;
}

char* double_quote(char* p, char) { return write_pair(p, '"', '"'); }

bool csv_needs_quotes(std::string_view field) {
  for (char c : field) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view in, std::size_t pos) {
  const std::size_t left = in.size() - pos;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data() + pos);
  const unsigned char c = s[0];
  if (c >= 0xC2 && c <= 0xDF) {
    return left >= 2 && is_continuation(s[1]) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !is_continuation(s[1]) || !is_continuation(s[2])) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && s[1] >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !is_continuation(s[1]) || !is_continuation(s[2]) || !is_continuation(s[3])) {
      return 0;
    }
    if (c == 0xF0 && s[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && s[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;  // stray continuation byte, 0xC0, 0xC1 or 0xF5..0xFF
}

char* write_prometheus_help(char* p, std::string_view help) {
  return write_escaped<PrometheusHelpEscaping>(p, help, escape_text);
}

char* write_openmetrics_help(char* p, std::string_view help) {
  return write_escaped<OpenMetricsHelpEscaping>(p, help, escape_text);
}

char* write_json_string_body(char* p, std::string_view text) {
  return write_escaped<JsonEscaping>(p, text, escape_json);
}

char* write_csv_field(char* p, std::string_view field) {
  if (!csv_needs_quotes(field)) return write_escaped<Utf8Only>(p, field, escape_nothing);
  *p++ = '"';
  p = write_escaped<CsvQuotedEscaping>(p, field, double_quote);
  *p++ = '"';
  return p;
}

}  // namespace observo::metrics::detail
