#include "sources/beyla/otlp_json_reader.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace observo::beyla::otlp_json {

bool key_is(std::string_view key, std::string_view snake) {
  std::size_t j = 0;
  for (const char c : key) {
    if (c >= 'A' && c <= 'Z') {
      // lowerCamelCase: "timeUnix" matches "time_unix".
      if (j + 1 >= snake.size() || snake[j] != '_' || snake[j + 1] != c - 'A' + 'a') return false;
      j += 2;
    } else {
      if (j >= snake.size() || snake[j] != c) return false;
      ++j;
    }
  }
  return j == snake.size();
}

std::string check_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        return "JSON nested deeper than " + std::to_string(max_depth) + " levels at byte " +
               std::to_string(i);
      }
    } else if (c == '}' || c == ']') {
      --depth;  // unbalanced input is left to the parser to report
    }
  }
  return {};
}

bool Reader::fail(std::string_view what) {
  if (error_.empty()) {
    error_ = path_.empty() ? std::string("(document)") : path_;
    error_ += ": ";
    error_ += what;
  }
  return false;
}

bool Reader::one_of(int& seen, std::string_view group) {
  if (++seen > 1) return fail("more than one " + std::string(group) + " set");
  return true;
}

std::size_t Reader::push_key(std::string_view key) {
  const std::size_t mark = path_.size();
  if (!path_.empty()) path_ += '.';
  path_ += key;
  return mark;
}

std::size_t Reader::push_index(std::size_t index) {
  const std::size_t mark = path_.size();
  path_ += '[';
  path_ += std::to_string(index);
  path_ += ']';
  return mark;
}

namespace {

// A whole decimal integer in a string ("-12"); from_chars is locale-independent.
enum class Parsed { kOk, kInvalid, kOutOfRange };
template <typename T>
Parsed parse_integer(const std::string& s, T& out) {
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc::result_out_of_range && ptr == end) return Parsed::kOutOfRange;
  return ec == std::errc() && ptr == end && !s.empty() ? Parsed::kOk : Parsed::kInvalid;
}

// A JSON float that holds an integral value (5.0, 1e3) within [lo, hi).
bool integral_double(double d, double lo, double hi) {
  return std::isfinite(d) && std::trunc(d) == d && d >= lo && d < hi;
}

}  // namespace

bool Reader::read_i64(const Json& v, std::int64_t& out) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(kMax)) return fail("integer out of range for int64");
    out = static_cast<std::int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return true;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!integral_double(d, -9223372036854775808.0, 9223372036854775808.0)) {
      return fail(std::trunc(d) == d ? "integer out of range for int64" : "not an integer");
    }
    out = static_cast<std::int64_t>(d);
    return true;
  }
  if (v.is_string()) {
    switch (parse_integer(v.get_ref<const std::string&>(), out)) {
      case Parsed::kOk:
        return true;
      case Parsed::kOutOfRange:
        return fail("integer out of range for int64");
      case Parsed::kInvalid:
        break;
    }
    return fail("not an integer");
  }
  return fail("not an integer");
}

bool Reader::read_u64(const Json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number_integer()) return fail("negative value for an unsigned integer");
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!integral_double(d, 0.0, 18446744073709551616.0)) {
      return fail(std::trunc(d) == d ? "integer out of range for uint64" : "not an integer");
    }
    out = static_cast<std::uint64_t>(d);
    return true;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (!s.empty() && s[0] == '-') return fail("negative value for an unsigned integer");
    switch (parse_integer(s, out)) {
      case Parsed::kOk:
        return true;
      case Parsed::kOutOfRange:
        return fail("integer out of range for uint64");
      case Parsed::kInvalid:
        break;
    }
    return fail("not an integer");
  }
  return fail("not an integer");
}

bool Reader::read_double(const Json& v, double& out) {
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN") {
      out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (s == "Infinity") {
      out = std::numeric_limits<double>::infinity();
      return true;
    }
    if (s == "-Infinity") {
      out = -std::numeric_limits<double>::infinity();
      return true;
    }
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, out);
    if (ec == std::errc() && ptr == end && !s.empty() && std::isfinite(out)) return true;
  }
  return fail("not a number");
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // standard and URL-safe alphabets
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

bool Reader::read_hex_id(const Json& v, std::size_t bytes, std::string& out) {
  if (!v.is_string()) return fail("not a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty()) {
    out.clear();
    return true;
  }
  const std::string expected = "not a hex ID of " + std::to_string(bytes * 2) + " digits";
  if (s.size() != bytes * 2) return fail(expected);
  out.resize(bytes);
  for (std::size_t i = 0; i < bytes; ++i) {
    const int hi = hex_digit(s[2 * i]);
    const int lo = hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return fail(expected);
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return true;
}

bool Reader::read_base64(const Json& v, std::string& out) {
  if (!v.is_string()) return fail("not a string");
  std::string_view s = v.get_ref<const std::string&>();
  // Padding is optional; at most two '=' and only at the end.
  std::size_t padding = 0;
  while (!s.empty() && s.back() == '=' && padding < 2) {
    s.remove_suffix(1);
    ++padding;
  }
  if (s.size() % 4 == 1 || (padding > 0 && (s.size() + padding) % 4 != 0)) {
    return fail("not valid base64");
  }
  out.clear();
  out.reserve(s.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : s) {
    const int d = base64_digit(c);
    if (d < 0) return fail("not valid base64");
    acc = (acc << 6) | static_cast<std::uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

bool Reader::fail_unknown_enum(const Json& v) {
  std::string name = v.get_ref<const std::string&>();
  if (name.size() > 64) name = name.substr(0, 64) + "...";
  return fail("unknown enum value \"" + name + "\"");
}

bool Reader::any_value(const Json& v, AnyValue& out, int depth) {
  if (depth > kMaxAnyValueDepth) {
    return fail("AnyValue nested deeper than " + std::to_string(kMaxAnyValueDepth) + " levels");
  }
  int values = 0;
  constexpr std::string_view kGroup = "AnyValue value";
  return fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "string_value")) {
      return one_of(values, kGroup) &&
             string(f, [&](const std::string& s) { out.set_string_value(s); });
    }
    if (key_is(key, "bool_value")) {
      return one_of(values, kGroup) && boolean(f, [&](bool b) { out.set_bool_value(b); });
    }
    if (key_is(key, "int_value")) {
      return one_of(values, kGroup) && i64(f, [&](std::int64_t x) { out.set_int_value(x); });
    }
    if (key_is(key, "double_value")) {
      return one_of(values, kGroup) && f64(f, [&](double x) { out.set_double_value(x); });
    }
    if (key_is(key, "bytes_value")) {
      return one_of(values, kGroup) &&
             base64(f, [&](std::string b) { out.set_bytes_value(std::move(b)); });
    }
    if (key_is(key, "string_value_strindex")) {
      return one_of(values, kGroup) &&
             i32(f, [&](std::int32_t x) { out.set_string_value_strindex(x); });
    }
    if (key_is(key, "array_value")) {
      if (!one_of(values, kGroup)) return false;
      auto& array = *out.mutable_array_value();
      return fields(f, [&](std::string_view k, const Json& g) {
        if (!key_is(k, "values")) return true;
        return elements(
            g, [&](const Json& e) { return any_value(e, *array.add_values(), depth + 1); });
      });
    }
    if (key_is(key, "kvlist_value")) {
      if (!one_of(values, kGroup)) return false;
      auto& list = *out.mutable_kvlist_value();
      return fields(f, [&](std::string_view k, const Json& g) {
        if (!key_is(k, "values")) return true;
        return elements(g,
                        [&](const Json& e) { return key_value(e, *list.add_values(), depth + 1); });
      });
    }
    return true;
  });
}

bool Reader::key_value(const Json& v, KeyValue& out, int depth) {
  return fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "key")) return string(f, [&](const std::string& s) { out.set_key(s); });
    if (key_is(key, "value")) return any_value(f, *out.mutable_value(), depth);
    if (key_is(key, "key_strindex")) {
      return i32(f, [&](std::int32_t x) { out.set_key_strindex(x); });
    }
    return true;
  });
}

bool Reader::attributes(const Json& v, google::protobuf::RepeatedPtrField<KeyValue>& out) {
  return elements(v, [&](const Json& e) { return key_value(e, *out.Add(), 1); });
}

bool Reader::resource(const Json& v, Resource& out) {
  return fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "attributes")) return attributes(f, *out.mutable_attributes());
    if (key_is(key, "dropped_attributes_count")) {
      return u32(f, [&](std::uint32_t x) { out.set_dropped_attributes_count(x); });
    }
    if (key_is(key, "entity_refs")) {
      return elements(f, [&](const Json& e) {
        auto& ref = *out.add_entity_refs();
        return fields(e, [&](std::string_view k, const Json& g) {
          if (key_is(k, "schema_url")) {
            return string(g, [&](const std::string& s) { ref.set_schema_url(s); });
          }
          if (key_is(k, "type")) return string(g, [&](const std::string& s) { ref.set_type(s); });
          if (key_is(k, "id_keys")) {
            return elements(g, [&](const Json& x) {
              return string(x, [&](const std::string& s) { ref.add_id_keys(s); });
            });
          }
          if (key_is(k, "description_keys")) {
            return elements(g, [&](const Json& x) {
              return string(x, [&](const std::string& s) { ref.add_description_keys(s); });
            });
          }
          return true;
        });
      });
    }
    return true;
  });
}

bool Reader::scope(const Json& v, InstrumentationScope& out) {
  return fields(v, [&](std::string_view key, const Json& f) {
    if (key_is(key, "name")) return string(f, [&](const std::string& s) { out.set_name(s); });
    if (key_is(key, "version")) {
      return string(f, [&](const std::string& s) { out.set_version(s); });
    }
    if (key_is(key, "attributes")) return attributes(f, *out.mutable_attributes());
    if (key_is(key, "dropped_attributes_count")) {
      return u32(f, [&](std::uint32_t x) { out.set_dropped_attributes_count(x); });
    }
    return true;
  });
}

}  // namespace observo::beyla::otlp_json
