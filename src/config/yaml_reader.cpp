#include "config/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "config/value_text.h"

namespace observo::config::detail {
namespace {

int line_of(const YAML::Node& node) {
  const auto mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

class Reader {
 public:
  explicit Reader(const std::string& file_name) : file_name_(file_name) {}

  std::vector<Setting> read(const YAML::Node& root) {
    if (root.IsNull()) return {};  // an empty file: every key keeps its default
    if (!root.IsMap()) {
      throw LoadError(file_name_ + ":" + std::to_string(line_of(root)) +
                      ": expected a mapping of sections (server, log, metrics, ...), got " +
                      describe(root));
    }
    read_section(root, "");
    return std::move(settings_);
  }

 private:
  Origin at(const YAML::Node& node) const {
    return Origin{Origin::Kind::kFile, file_name_, line_of(node)};
  }

  void read_section(const YAML::Node& section, const std::string& prefix) {
    std::set<std::string> seen;
    for (const auto& entry : section) {
      const auto origin = at(entry.first);
      if (!entry.first.IsScalar()) {
        fail(origin, prefix.empty() ? "<top level>" : prefix, "keys must be plain names");
      }
      const auto& name = entry.first.Scalar();
      const auto path = prefix.empty() ? name : prefix + "." + name;
      if (name.find('.') != std::string::npos) {
        fail(origin, path, "keys are nested mappings: write each part of a dotted path on its own");
      }
      if (!seen.insert(name).second) fail(origin, path, "duplicate key");
      if (const auto* spec = find_key(path)) {
        settings_.push_back(Setting{spec, value_of(*spec, entry.second, origin), origin});
      } else if (is_section(path)) {
        if (entry.second.IsNull()) continue;  // "pixie:" with nothing under it
        if (!entry.second.IsMap()) {
          fail(origin, path, "expected a mapping of keys, got " + describe(entry.second));
        }
        read_section(entry.second, path);
      } else {
        std::string message = "unknown key";
        if (const auto hint = suggest_key(path)) message += " (did you mean " + *hint + "?)";
        fail(origin, path, message);
      }
    }
  }

  Value value_of(const KeySpec& spec, const YAML::Node& node, const Origin& origin) const {
    const std::string path(spec.path);
    if (spec.type == KeyType::kStringList) return list_of(spec, node, origin);
    if (spec.type == KeyType::kIntMap) return map_of(spec, node, origin);
    if (spec.type == KeyType::kObjectList) return object_list_of(spec, node, origin);
    if (node.IsNull() && (spec.type == KeyType::kString || spec.type == KeyType::kPath)) {
      return std::string{};
    }
    if (!node.IsScalar()) fail(origin, path, expectation(spec) + ", got " + describe(node));
    try {
      return scalar_value(spec, node.Scalar());
    } catch (const BadValue& e) {
      fail(origin, path, e.what());
    }
  }

  Value list_of(const KeySpec& spec, const YAML::Node& node, const Origin& origin) const {
    const std::string path(spec.path);
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) fail(origin, path, expectation(spec) + ", got " + describe(node));
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        fail(at(item), path + "[" + std::to_string(out.size()) + "]",
             "expected a string, got " + describe(item));
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

  Value map_of(const KeySpec& spec, const YAML::Node& node, const Origin& origin) const {
    const std::string path(spec.path);
    std::map<std::string, std::int64_t> out;
    if (node.IsNull()) return out;
    if (!node.IsMap()) {
      fail(origin, path,
           "expected a mapping of metric family name to integer, got " + describe(node));
    }
    for (const auto& entry : node) {
      const auto item_origin = at(entry.first);
      if (!entry.first.IsScalar()) fail(item_origin, path, "keys must be metric family names");
      const auto& name = entry.first.Scalar();
      const auto item_path = path + "." + name;
      if (!entry.second.IsScalar()) {
        fail(item_origin, item_path, expectation(spec) + ", got " + describe(entry.second));
      }
      try {
        check_map_key(spec, name);
        const auto value = scalar_value(spec, entry.second.Scalar());
        if (!out.emplace(name, std::get<std::int64_t>(value)).second) {
          fail(item_origin, item_path, "duplicate key");
        }
      } catch (const BadValue& e) {
        fail(item_origin, item_path, e.what());
      }
    }
    return out;
  }

  // Each element is a mapping of the spec's fields; errors name "path[index].field".
  Value object_list_of(const KeySpec& spec, const YAML::Node& node, const Origin& origin) const {
    const std::string path(spec.path);
    std::vector<ObjectValue> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) fail(origin, path, expectation(spec) + ", got " + describe(node));
    for (const auto& item : node) {
      const auto item_path = path + "[" + std::to_string(out.size()) + "]";
      if (!item.IsMap()) fail(at(item), item_path, "expected a mapping, got " + describe(item));
      ObjectValue element;
      for (const auto& entry : item) {
        const auto field_origin = at(entry.first);
        if (!entry.first.IsScalar()) fail(field_origin, item_path, "keys must be plain names");
        const auto& name = entry.first.Scalar();
        const auto field_path = item_path + "." + name;
        const KeySpec* field = nullptr;
        for (const auto& candidate : spec.fields) {
          if (candidate.path == name) field = &candidate;
        }
        if (field == nullptr) {
          fail(field_origin, field_path, "unknown key (known: " + field_names(spec) + ")");
        }
        if (element.count(name) != 0) fail(field_origin, field_path, "duplicate key");
        element.emplace(name, field_value(*field, entry.second, field_origin, field_path));
      }
      for (const auto& field : spec.fields) {
        if (field.required && element.count(std::string(field.path)) == 0) {
          fail(at(item), item_path + "." + std::string(field.path), "required");
        }
      }
      out.push_back(std::move(element));
    }
    return out;
  }

  FieldValue field_value(const KeySpec& field, const YAML::Node& node, const Origin& origin,
                         const std::string& path) const {
    if (node.IsNull() && (field.type == KeyType::kString || field.type == KeyType::kPath)) {
      return std::string{};
    }
    if (!node.IsScalar()) fail(origin, path, expectation(field) + ", got " + describe(node));
    try {
      const auto value = scalar_value(field, node.Scalar());
      if (const auto* flag = std::get_if<bool>(&value)) return *flag;
      if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
      return std::get<std::string>(value);
    } catch (const BadValue& e) {
      fail(origin, path, e.what());
    }
  }

  static std::string field_names(const KeySpec& spec) {
    std::string out;
    for (const auto& field : spec.fields) {
      out += (out.empty() ? "" : ", ") + std::string(field.path);
    }
    return out;
  }

  const std::string& file_name_;
  std::vector<Setting> settings_;
};

}  // namespace

std::vector<Setting> read_yaml(std::string_view text, const std::string& file_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const auto& mark = e.mark;
    std::string where = file_name;
    if (!mark.is_null()) {
      where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    throw LoadError(where + ": YAML syntax error: " + e.msg);
  }
  return Reader(file_name).read(root);
}

}  // namespace observo::config::detail
