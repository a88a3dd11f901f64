// Schema entries for lists of mappings (pixie.clusters, otlp.scrape): each element is a plain
// struct, each of its fields one FieldBinding, and object_list_key() turns the bindings into one
// kObjectList KeySpec that reads and writes the whole list.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "observo/config/schema.h"

namespace observo::config::detail {

// Reads and writes one field of an element; ObjectValue holds only the types the field needs.
template <typename T>
struct FieldBinding {
  KeySpec spec;
  std::function<void(T&, const FieldValue&)> set;
  std::function<FieldValue(const T&)> get;
};

template <typename T>
FieldBinding<T> text_field(KeySpec spec, std::string T::*member) {
  return {std::move(spec),
          [member](T& c, const FieldValue& v) { c.*member = std::get<std::string>(v); },
          [member](const T& c) -> FieldValue { return c.*member; }};
}

template <typename T>
FieldBinding<T> flag_field(KeySpec spec, bool T::*member) {
  return {std::move(spec), [member](T& c, const FieldValue& v) { c.*member = std::get<bool>(v); },
          [member](const T& c) -> FieldValue { return c.*member; }};
}

template <typename T>
FieldBinding<T> duration_field(KeySpec spec, Duration T::*member) {
  return {std::move(spec),
          [member](T& c, const FieldValue& v) { c.*member = Duration{std::get<std::int64_t>(v)}; },
          [member](const T& c) -> FieldValue {
            return static_cast<std::int64_t>((c.*member).count());
          }};
}

// `list` returns the list field of a (const or mutable) Config; `bindings` must outlive the
// returned spec (a function-local static).
template <typename T, typename Access>
KeySpec object_list_key(KeySpec spec, const std::vector<FieldBinding<T>>& bindings, Access list) {
  spec.type = KeyType::kObjectList;
  for (const auto& binding : bindings) spec.fields.push_back(binding.spec);
  spec.set = [&bindings, list](Config& config, const Value& value) {
    auto& out = list(config);
    out.clear();
    for (const auto& element : std::get<std::vector<ObjectValue>>(value)) {
      T item;
      for (const auto& binding : bindings) {
        const auto found = element.find(std::string(binding.spec.path));
        if (found != element.end()) binding.set(item, found->second);
      }
      out.push_back(std::move(item));
    }
  };
  spec.get = [&bindings, list](const Config& config) -> Value {
    std::vector<ObjectValue> out;
    for (const auto& item : list(config)) {
      ObjectValue element;
      for (const auto& binding : bindings) {
        element.emplace(std::string(binding.spec.path), binding.get(item));
      }
      out.push_back(std::move(element));
    }
    return out;
  };
  return spec;
}

}  // namespace observo::config::detail
