// Lookups over the schema table: finding keys, "did you mean", environment names, and the
// text forms of values and types used by the renderer and the documentation.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/value_text.h"
#include "observo/config/schema.h"

namespace observo::config {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Every known key and section path: the candidates for "did you mean".
std::vector<std::string> known_paths() {
  std::vector<std::string> out;
  for (const auto& spec : schema()) {
    std::string_view path = spec.path;
    out.emplace_back(path);
    for (auto dot = path.rfind('.'); dot != std::string_view::npos; dot = path.rfind('.')) {
      path = path.substr(0, dot);
      if (std::find(out.begin(), out.end(), path) == out.end()) out.emplace_back(path);
    }
  }
  return out;
}

}  // namespace

const KeySpec* find_key(std::string_view path) {
  for (const auto& spec : schema()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

bool is_section(std::string_view path) {
  return std::any_of(schema().begin(), schema().end(), [path](const KeySpec& spec) {
    return spec.path.size() > path.size() && spec.path.starts_with(path) &&
           spec.path[path.size()] == '.';
  });
}

std::optional<std::string> suggest_key(std::string_view unknown) {
  const auto dot = unknown.rfind('.');
  const auto leaf = dot == std::string_view::npos ? unknown : unknown.substr(dot + 1);
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, leaf.size() / 3) + 1;
  for (const auto& candidate : known_paths()) {
    // "server.tls.cert" -> "server.tls.cert_file": a known key that extends the typed one.
    if (candidate.starts_with(unknown) && candidate.size() > unknown.size() &&
        candidate[unknown.size()] == '_' &&
        candidate.find('.', unknown.size()) == std::string::npos) {
      return candidate;
    }
    const auto distance = edit_distance(unknown, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string env_var_name(std::string_view path) {
  std::string out = "OBSERVO_";
  for (const char c : path) {
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string format_value(const KeySpec& spec, const Value& value) {
  switch (spec.type) {
    case KeyType::kBool:
      return std::get<bool>(value) ? "true" : "false";
    case KeyType::kInt:
    case KeyType::kPort:
      return std::to_string(std::get<std::int64_t>(value));
    case KeyType::kDuration:
      return detail::format_duration_ms(std::get<std::int64_t>(value));
    case KeyType::kSize:
      return detail::format_size_bytes(std::get<std::int64_t>(value));
    case KeyType::kEnum:
      return std::get<std::string>(value);
    case KeyType::kString:
    case KeyType::kPath:
      return detail::quote(std::get<std::string>(value));
    case KeyType::kStringList: {
      std::string out = "[";
      for (const auto& item : std::get<std::vector<std::string>>(value)) {
        if (out.size() > 1) out += ", ";
        out += detail::quote(item);
      }
      return out + "]";
    }
    case KeyType::kIntMap: {
      std::string out = "{";
      for (const auto& [name, number] : std::get<std::map<std::string, std::int64_t>>(value)) {
        if (out.size() > 1) out += ", ";
        out += detail::quote(name) + ": " + std::to_string(number);
      }
      return out + "}";
    }
    case KeyType::kObjectList: {
      // Flow style, every field of every element in schema order: loads back unchanged.
      std::string out = "[";
      for (const auto& element : std::get<std::vector<ObjectValue>>(value)) {
        if (out.size() > 1) out += ", ";
        std::string item = "{";
        for (const auto& field : spec.fields) {
          const auto found = element.find(std::string(field.path));
          if (found == element.end()) continue;
          if (item.size() > 1) item += ", ";
          const Value field_value =
              std::visit([](const auto& v) -> Value { return v; }, found->second);
          item += std::string(field.path) + ": " + format_value(field, field_value);
        }
        out += item + "}";
      }
      return out + "]";
    }
  }
  return {};
}

std::string describe_type(const KeySpec& spec) {
  const auto range = [&spec](auto format) { return format(spec.min) + ".." + format(spec.max); };
  const auto number = [](std::int64_t v) { return std::to_string(v); };
  switch (spec.type) {
    case KeyType::kBool:
      return "bool";
    case KeyType::kInt:
      return "integer " + range(number);
    case KeyType::kPort:
      return "port 0..65535";
    case KeyType::kDuration:
      return "duration " + range(detail::format_duration_ms);
    case KeyType::kSize:
      return "size " + range(detail::format_size_bytes);
    case KeyType::kString:
      return "string";
    case KeyType::kPath:
      return "path";
    case KeyType::kEnum: {
      std::string out = "one of ";
      for (std::size_t i = 0; i < spec.choices.size(); ++i) {
        out += (i == 0 ? "" : ", ") + std::string(spec.choices[i]);
      }
      return out;
    }
    case KeyType::kStringList:
      return "list of strings";
    case KeyType::kIntMap:
      return "map of name to integer " + range(number);
    case KeyType::kObjectList:
      return "list of mappings";
  }
  return {};
}

}  // namespace observo::config
