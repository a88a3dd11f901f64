#include "sources/pixie/cells.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace observo::pixie {

std::string uuid_text(std::uint64_t high, std::uint64_t low) {
  char buffer[37];
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xffff),
                static_cast<unsigned long long>(high & 0xffff),
                static_cast<unsigned long long>(low >> 48),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return buffer;
}

std::string rfc3339_nanos(std::int64_t unix_nanos) {
  std::int64_t seconds = unix_nanos / 1'000'000'000;
  std::int64_t nanos = unix_nanos % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(nanos));
  return buffer;
}

std::string float_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

namespace {

// Length of the valid UTF-8 sequence starting at `i`, or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto byte = [&s](std::size_t at) { return static_cast<unsigned char>(s[at]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t code = 0;
  if ((c & 0xE0) == 0xC0) {
    length = 2;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  const bool overlong = (length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
                        (length == 4 && code < 0x10000);
  if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto length = utf8_sequence(bytes, i);
    if (length == 0) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      const auto c = static_cast<unsigned char>(bytes[i]);
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else {
      out.append(bytes.substr(i, length));
      i += length;
    }
  }
  return out;
}

void append_json_string(std::string& out, std::string_view utf8) {
  out += '"';
  for (const char ch : utf8) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

std::string cell_text(const vizierpb::Column& column, int row, TimeFormat time_format) {
  switch (column.col_data_case()) {
    case vizierpb::Column::kBooleanData:
      return column.boolean_data().data(row) ? "true" : "false";
    case vizierpb::Column::kInt64Data:
      return std::to_string(column.int64_data().data(row));
    case vizierpb::Column::kUint128Data: {
      const auto& v = column.uint128_data().data(row);
      return uuid_text(v.high(), v.low());
    }
    case vizierpb::Column::kFloat64Data:
      return float_text(column.float64_data().data(row));
    case vizierpb::Column::kStringData:
      return sanitize_utf8(column.string_data().data(row));
    case vizierpb::Column::kTime64NsData: {
      const auto nanos = column.time64ns_data().data(row);
      return time_format == TimeFormat::kRfc3339 ? rfc3339_nanos(nanos) : std::to_string(nanos);
    }
    default:
      return {};
  }
}

void append_cell_json(std::string& out, const vizierpb::Column& column, int row,
                      TimeFormat time_format) {
  switch (column.col_data_case()) {
    case vizierpb::Column::kBooleanData:
    case vizierpb::Column::kInt64Data:
      out += cell_text(column, row, time_format);
      return;
    case vizierpb::Column::kFloat64Data: {
      const double v = column.float64_data().data(row);
      out += std::isfinite(v) ? float_text(v) : "null";
      return;
    }
    case vizierpb::Column::kTime64NsData:
      if (time_format == TimeFormat::kNanoseconds) {
        out += cell_text(column, row, time_format);
        return;
      }
      [[fallthrough]];
    default:
      append_json_string(out, cell_text(column, row, time_format));
  }
}

bool cell_number(const vizierpb::Column& column, int row, double& out) {
  switch (column.col_data_case()) {
    case vizierpb::Column::kBooleanData:
      out = column.boolean_data().data(row) ? 1 : 0;
      return true;
    case vizierpb::Column::kInt64Data:
      out = static_cast<double>(column.int64_data().data(row));
      return true;
    case vizierpb::Column::kFloat64Data:
      out = column.float64_data().data(row);
      return true;
    case vizierpb::Column::kTime64NsData:
      out = static_cast<double>(column.time64ns_data().data(row));
      return true;
    default:
      return false;
  }
}

}  // namespace observo::pixie
