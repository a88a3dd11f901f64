#include "config/value_text.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

namespace observo::config::detail {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

std::int64_t saturating_mul(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return (a < 0) != (b < 0) ? kMin : kMax;
  return out;
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return b < 0 ? kMin : kMax;
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Reads the digits at the front of `text` (advancing it) into a saturated non-negative number.
std::optional<std::int64_t> take_digits(std::string_view& text) {
  std::size_t n = 0;
  std::int64_t value = 0;
  while (n < text.size() && is_digit(text[n])) {
    value = saturating_add(saturating_mul(value, 10), text[n] - '0');
    ++n;
  }
  if (n == 0) return std::nullopt;
  text.remove_prefix(n);
  return value;
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string range_text(const KeySpec& spec) {
  auto format = [&spec](std::int64_t v) {
    switch (spec.type) {
      case KeyType::kDuration:
        return format_duration_ms(v);
      case KeyType::kSize:
        return format_size_bytes(v);
      default:
        return std::to_string(v);
    }
  };
  return "(" + format(spec.min) + ".." + format(spec.max) + ")";
}

std::int64_t check_range(const KeySpec& spec, std::int64_t value, std::string_view text) {
  if (value < spec.min || value > spec.max) {
    throw BadValue(std::string(trim(text)) + " is out of range " + range_text(spec));
  }
  return value;
}

std::string got(std::string_view text) { return ", got '" + std::string(text) + "'"; }

}  // namespace

std::string_view trim(std::string_view text) {
  const auto* space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = trim(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const auto digits = take_digits(text);
  if (!digits || !text.empty()) return std::nullopt;
  return negative ? saturating_mul(*digits, -1) : *digits;
}

std::optional<bool> parse_bool(std::string_view text) {
  const auto word = lower(trim(text));
  if (word == "true" || word == "yes" || word == "on" || word == "1") return true;
  if (word == "false" || word == "no" || word == "off" || word == "0") return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), is_digit)) {
    const auto seconds = take_digits(text);
    return saturating_mul(*seconds, 1000);
  }
  std::int64_t total = 0;
  while (!text.empty()) {
    const auto amount = take_digits(text);
    if (!amount) return std::nullopt;
    std::int64_t unit = 0;
    if (text.starts_with("ms")) {
      unit = 1;
      text.remove_prefix(2);
    } else if (text.starts_with("s")) {
      unit = 1000;
      text.remove_prefix(1);
    } else if (text.starts_with("m")) {
      unit = 60'000;
      text.remove_prefix(1);
    } else if (text.starts_with("h")) {
      unit = 3'600'000;
      text.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    total = saturating_add(total, saturating_mul(*amount, unit));
  }
  return total;
}

std::optional<std::int64_t> parse_size_bytes(std::string_view text) {
  text = trim(text);
  const auto amount = take_digits(text);
  if (!amount) return std::nullopt;
  const auto unit = lower(trim(text));
  std::int64_t scale = 0;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "kib") {
    scale = std::int64_t{1} << 10;
  } else if (unit == "mib") {
    scale = std::int64_t{1} << 20;
  } else if (unit == "gib") {
    scale = std::int64_t{1} << 30;
  } else if (unit == "kb") {
    scale = 1000;
  } else if (unit == "mb") {
    scale = 1000 * 1000;
  } else if (unit == "gb") {
    scale = 1000 * 1000 * 1000;
  } else {
    return std::nullopt;
  }
  return saturating_mul(*amount, scale);
}

std::string format_duration_ms(std::int64_t ms) {
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_size_bytes(std::int64_t bytes) {
  if (bytes == 0) return "0";
  if (bytes % (std::int64_t{1} << 30) == 0) return std::to_string(bytes >> 30) + "GiB";
  if (bytes % (std::int64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes % (std::int64_t{1} << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes);
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string expectation(const KeySpec& spec) {
  switch (spec.type) {
    case KeyType::kBool:
      return "expected true or false";
    case KeyType::kInt:
    case KeyType::kPort:
    case KeyType::kIntMap:
      return "expected an integer";
    case KeyType::kDuration:
      return "expected a duration such as 500ms, 10s, 2m or 1h (a plain integer means seconds)";
    case KeyType::kSize:
      return "expected a size such as 8KiB, 1MiB or a plain number of bytes";
    case KeyType::kEnum:
      return "expected one of " + join(spec.choices);
    case KeyType::kString:
    case KeyType::kPath:
      return "expected a string";
    case KeyType::kStringList:
      return "expected a list of strings";
    case KeyType::kObjectList:
      return "expected a list of mappings";
  }
  return {};
}

Value scalar_value(const KeySpec& spec, std::string_view text) {
  const auto bad = [&spec, text] { return BadValue(expectation(spec) + got(text)); };
  switch (spec.type) {
    case KeyType::kBool: {
      const auto value = parse_bool(text);
      if (!value) throw bad();
      return *value;
    }
    case KeyType::kInt:
    case KeyType::kPort:
    case KeyType::kIntMap: {
      const auto value = parse_int(text);
      if (!value) throw bad();
      return check_range(spec, *value, text);
    }
    case KeyType::kDuration: {
      const auto value = parse_duration_ms(text);
      if (!value) throw bad();
      return check_range(spec, *value, text);
    }
    case KeyType::kSize: {
      const auto value = parse_size_bytes(text);
      if (!value) throw bad();
      return check_range(spec, *value, text);
    }
    case KeyType::kEnum: {
      const auto word = trim(text);
      if (std::find(spec.choices.begin(), spec.choices.end(), word) == spec.choices.end()) {
        throw bad();
      }
      return std::string(word);
    }
    case KeyType::kString:
    case KeyType::kPath:
    case KeyType::kStringList:
    case KeyType::kObjectList:
      break;
  }
  return std::string(text);
}

void check_map_key(const KeySpec& spec, std::string_view name) {
  const auto valid_first = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
  };
  const auto valid_rest = [&](char c) { return valid_first(c) || is_digit(c); };
  if (name.empty() || !valid_first(name.front()) ||
      !std::all_of(name.begin() + 1, name.end(), valid_rest)) {
    throw BadValue("'" + std::string(name) + "' is not a metric family name");
  }
}

Value value_from_text(const KeySpec& spec, std::string_view text) {
  if (spec.type == KeyType::kObjectList) {
    throw BadValue("is a list of mappings and can only be set in the configuration file");
  }
  if (spec.type == KeyType::kStringList) return split_list(text);
  if (spec.type != KeyType::kIntMap) return scalar_value(spec, text);
  std::map<std::string, std::int64_t> out;
  for (const auto& item : split_list(text)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) throw BadValue("expected name=value items" + got(item));
    const auto name = std::string(trim(std::string_view(item).substr(0, eq)));
    check_map_key(spec, name);
    const auto value = scalar_value(spec, std::string_view(item).substr(eq + 1));
    if (!out.emplace(name, std::get<std::int64_t>(value)).second) {
      throw BadValue("'" + name + "' is given twice");
    }
  }
  return out;
}

}  // namespace observo::config::detail
