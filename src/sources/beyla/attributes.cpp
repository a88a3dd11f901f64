#include "sources/beyla/attributes.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace observo::beyla {
namespace {

using opentelemetry::proto::common::v1::AnyValue;

std::string double_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += i + 1 < bytes.size() ? kAlphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

// Arrays and maps nest; the JSON form keeps their structure. Depth is bounded by the protobuf
// parser's own recursion limit (100), so this recursion is too.
nlohmann::json to_json(const AnyValue& value) {
  switch (value.value_case()) {
    case AnyValue::kStringValue:
      return value.string_value();
    case AnyValue::kBoolValue:
      return value.bool_value();
    case AnyValue::kIntValue:
      return value.int_value();
    case AnyValue::kDoubleValue:
      return std::isfinite(value.double_value())
                 ? nlohmann::json(value.double_value())
                 : nlohmann::json(double_text(value.double_value()));
    case AnyValue::kArrayValue: {
      auto out = nlohmann::json::array();
      for (const auto& item : value.array_value().values()) out.push_back(to_json(item));
      return out;
    }
    case AnyValue::kKvlistValue: {
      auto out = nlohmann::json::object();
      for (const auto& kv : value.kvlist_value().values()) out[kv.key()] = to_json(kv.value());
      return out;
    }
    case AnyValue::kBytesValue:
      return base64(value.bytes_value());
    case AnyValue::kStringValueStrindex:
    case AnyValue::VALUE_NOT_SET:
      break;
  }
  return nullptr;
}

}  // namespace

std::string attribute_text(const AnyValue& value) {
  switch (value.value_case()) {
    case AnyValue::kStringValue:
      return value.string_value();
    case AnyValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case AnyValue::kIntValue:
      return std::to_string(value.int_value());
    case AnyValue::kDoubleValue:
      return double_text(value.double_value());
    case AnyValue::kBytesValue:
      return base64(value.bytes_value());
    case AnyValue::kArrayValue:
    case AnyValue::kKvlistValue:
      return to_json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case AnyValue::kStringValueStrindex:
    case AnyValue::VALUE_NOT_SET:
      break;
  }
  return "";
}

const AnyValue* find_attribute(const Attributes& attributes, std::string_view key) {
  for (const auto& kv : attributes) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

}  // namespace observo::beyla
