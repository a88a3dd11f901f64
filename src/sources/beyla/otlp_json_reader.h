// The building blocks of the OTLP/JSON decoder (otlp_json.cpp): a walker over a parsed
// nlohmann::json document that keeps the JSON path of the value it is reading, so that the
// first error names it, plus the scalar rules of the OTLP JSON encoding (64-bit integers as
// strings or numbers, doubles as numbers or "NaN"/"Infinity", hex IDs, base64 bytes, enums as
// integers or names) and the common messages (AnyValue, KeyValue, Resource, scope).
// Not thread-safe: one Reader per document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/resource/v1/resource.pb.h"

namespace observo::beyla::otlp_json {

using Json = nlohmann::json;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::InstrumentationScope;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::resource::v1::Resource;

// AnyValue may nest (arrays of arrays, key-value lists of lists); deeper input is refused
// before the walk could exhaust the stack.
inline constexpr int kMaxAnyValueDepth = 64;
// Whole-document nesting limit, checked on the text before nlohmann builds a DOM.
inline constexpr int kMaxJsonDepth = 256;

// True when `key` names the proto field `snake`, as written (snake_case) or in its
// lowerCamelCase JSON form ("time_unix_nano" or "timeUnixNano").
bool key_is(std::string_view key, std::string_view snake);

// Empty when `text` nests no deeper than `max_depth`; otherwise an error naming the byte offset.
std::string check_depth(std::string_view text, int max_depth);

class Reader {
 public:
  // The first error: "<json path>: <what>". Empty while everything succeeded.
  const std::string& error() const { return error_; }

  // Records `what` at the current path; always returns false so callers can `return fail(..)`.
  bool fail(std::string_view what);

  // Calls `field(key, value)` for every member of object `v` with the path extended by the key;
  // null members are skipped (proto JSON: null means the default). A null `v` is an empty
  // message. Stops at the first false.
  template <typename F>
  bool fields(const Json& v, F&& field) {
    if (v.is_null()) return true;
    if (!v.is_object()) return fail("not an object");
    for (const auto& [key, value] : v.items()) {
      if (value.is_null()) continue;
      const std::size_t mark = push_key(key);
      if (!field(std::string_view(key), value)) return false;
      path_.resize(mark);
    }
    return true;
  }

  // Calls `element(value)` for every element of array `v` with the path extended by "[i]".
  template <typename F>
  bool elements(const Json& v, F&& element) {
    if (!v.is_array()) return fail("not an array");
    std::size_t index = 0;
    for (const Json& e : v) {
      const std::size_t mark = push_index(index++);
      if (e.is_null()) return fail("null element");
      if (!element(e)) return false;
      path_.resize(mark);
    }
    return true;
  }

  // Scalars. Each reads `v` and on success passes the value to `set`.
  template <typename Set>
  bool string(const Json& v, Set&& set) {
    if (!v.is_string()) return fail("not a string");
    set(v.get_ref<const std::string&>());
    return true;
  }
  template <typename Set>
  bool boolean(const Json& v, Set&& set) {
    if (!v.is_boolean()) return fail("not a boolean");
    set(v.get<bool>());
    return true;
  }
  template <typename Set>
  bool i64(const Json& v, Set&& set) {
    std::int64_t x = 0;
    if (!read_i64(v, x)) return false;
    set(x);
    return true;
  }
  template <typename Set>
  bool u64(const Json& v, Set&& set) {
    std::uint64_t x = 0;
    if (!read_u64(v, x)) return false;
    set(x);
    return true;
  }
  template <typename Set>
  bool i32(const Json& v, Set&& set) {
    std::int64_t x = 0;
    if (!read_i64(v, x)) return false;
    if (x < INT32_MIN || x > INT32_MAX) return fail("integer out of range for int32");
    set(static_cast<std::int32_t>(x));
    return true;
  }
  template <typename Set>
  bool u32(const Json& v, Set&& set) {
    std::uint64_t x = 0;
    if (!read_u64(v, x)) return false;
    if (x > UINT32_MAX) return fail("integer out of range for uint32");
    set(static_cast<std::uint32_t>(x));
    return true;
  }
  template <typename Set>
  bool f64(const Json& v, Set&& set) {
    double x = 0;
    if (!read_double(v, x)) return false;
    set(x);
    return true;
  }
  // A trace ID (16 bytes) or span ID (8 bytes) as hex; "" is the empty (unset) ID.
  template <typename Set>
  bool hex_id(const Json& v, std::size_t bytes, Set&& set) {
    std::string raw;
    if (!read_hex_id(v, bytes, raw)) return false;
    set(std::move(raw));
    return true;
  }
  template <typename Set>
  bool base64(const Json& v, Set&& set) {
    std::string raw;
    if (!read_base64(v, raw)) return false;
    set(std::move(raw));
    return true;
  }
  // An enum as its integer value or its value name; `parse` is the generated *_Parse function.
  template <typename Enum, typename Parse, typename Set>
  bool enumeration(const Json& v, Parse&& parse, Set&& set) {
    if (v.is_string()) {
      Enum e{};
      if (!parse(v.get_ref<const std::string&>(), &e)) return fail_unknown_enum(v);
      set(e);
      return true;
    }
    return i32(v, [&](std::int32_t x) { set(static_cast<Enum>(x)); });
  }

  // Counts a member of a oneof; a second one in the same object is an error.
  bool one_of(int& seen, std::string_view group);

  // The common messages.
  bool any_value(const Json& v, AnyValue& out, int depth);
  bool key_value(const Json& v, KeyValue& out, int depth);
  bool attributes(const Json& v, google::protobuf::RepeatedPtrField<KeyValue>& out);
  bool resource(const Json& v, Resource& out);
  bool scope(const Json& v, InstrumentationScope& out);

 private:
  std::size_t push_key(std::string_view key);
  std::size_t push_index(std::size_t index);
  bool read_i64(const Json& v, std::int64_t& out);
  bool read_u64(const Json& v, std::uint64_t& out);
  bool read_double(const Json& v, double& out);
  bool read_hex_id(const Json& v, std::size_t bytes, std::string& out);
  bool read_base64(const Json& v, std::string& out);
  bool fail_unknown_enum(const Json& v);

  std::string path_;
  std::string error_;
};

}  // namespace observo::beyla::otlp_json
