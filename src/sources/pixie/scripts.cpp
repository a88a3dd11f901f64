#include "sources/pixie/scripts.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace observo::pixie {
namespace {

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// "-5m", "-30s", "-1h", "-500ms", "-2d": what px.DataFrame accepts as a relative time.
bool is_relative_time(std::string_view text) {
  if (text.size() < 3 || text.front() != '-') return false;
  text.remove_prefix(1);
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (digits == 0 || digits > 9) return false;
  const auto unit = text.substr(digits);
  return unit == "ns" || unit == "us" || unit == "ms" || unit == "s" || unit == "m" ||
         unit == "h" || unit == "d";
}

// Kubernetes DNS-1123 names (lower-case alphanumerics, '-' and '.'), optionally
// "namespace/name" as Pixie's ctx['pod'] and ctx['service'] write them.
bool is_k8s_name_part(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  };
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return std::all_of(text.begin(), text.end(), ok) && alnum(text.front()) && alnum(text.back());
}

bool is_k8s_name(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return is_k8s_name_part(text);
  return is_k8s_name_part(text.substr(0, slash)) && is_k8s_name_part(text.substr(slash + 1));
}

std::string valid_names(const Script& script) {
  std::string out;
  for (const auto& param : script.params) out += (out.empty() ? "" : ", ") + param.name;
  return out;
}

}  // namespace

std::string_view kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::kTime:
      return "time";
    case ParamKind::kName:
      return "name";
    case ParamKind::kCount:
      return "count";
  }
  return "name";
}

Result<std::string> param_literal(const ScriptParam& param, const std::string& value) {
  switch (param.kind) {
    case ParamKind::kTime:
      if (value == "now") return std::string("px.now()");
      if (is_relative_time(value)) return "'" + value + "'";
      if (is_digits(value) && value.size() <= 19) return value;
      return make_error("parameter " + param.name + ": '" + value +
                        "' is not a time (use -5m, -30s, -1h, Unix nanoseconds or now)");
    case ParamKind::kName:
      if (is_k8s_name(value)) return "'" + value + "'";
      return make_error("parameter " + param.name + ": '" + value +
                        "' is not a Kubernetes name (lower-case letters, digits, '-', '.', "
                        "optionally namespace/name)");
    case ParamKind::kCount:
      if (is_digits(value) && value.size() <= 9) return value;
      return make_error("parameter " + param.name + ": '" + value + "' is not a count");
  }
  return make_error("parameter " + param.name + ": unknown kind");
}

const Script* find_script(const std::vector<Script>& scripts, const std::string& name) {
  for (const auto& script : scripts) {
    if (script.name == name) return &script;
  }
  return nullptr;
}

Result<std::map<std::string, std::string>> parse_params(const std::string& text) {
  std::map<std::string, std::string> out;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error("parameter '" + item + "' is not name=value");
    }
    const auto name = trim(std::string_view(item).substr(0, eq));
    if (!out.emplace(name, trim(std::string_view(item).substr(eq + 1))).second) {
      return make_error("parameter " + name + " is given twice");
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> resolve_params(
    const Script& script, const std::map<std::string, std::string>& given) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : given) {
    const bool known = std::any_of(script.params.begin(), script.params.end(),
                                   [&name](const ScriptParam& p) { return p.name == name; });
    if (!known) {
      return make_error("script " + script.name + " has no parameter '" + name +
                        "' (valid: " + valid_names(script) + ")");
    }
  }
  for (const auto& param : script.params) {
    const auto found = given.find(param.name);
    std::string value = found != given.end() ? found->second : param.default_value;
    if (value.empty()) {
      if (param.required) {
        return make_error("script " + script.name + " needs parameter " + param.name +
                          " (valid: " + valid_names(script) + ")");
      }
      continue;
    }
    auto literal = param_literal(param, value);
    if (!literal) return make_error(literal.error());
    out.emplace(param.name, value);
  }
  return out;
}

Result<std::string> render(const Script& script, const std::map<std::string, std::string>& given) {
  auto values = resolve_params(script, given);
  if (!values) return make_error(values.error());
  std::map<std::string, std::string> literals;
  for (const auto& param : script.params) {
    const auto found = values->find(param.name);
    if (found == values->end()) continue;
    literals.emplace(param.name, *param_literal(param, found->second));
  }
  std::string out;
  std::stringstream lines(script.pxl);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("{{?")) {
      const auto close = line.find("}}");
      if (close == std::string::npos) return make_error("script " + script.name + ": bad {{?");
      const auto name = line.substr(3, close - 3);
      if (literals.count(name) == 0) continue;
      line = line.substr(close + 2);
    }
    std::string rendered;
    for (std::size_t pos = 0;;) {
      const auto open = line.find("{{", pos);
      if (open == std::string::npos) {
        rendered += line.substr(pos);
        break;
      }
      const auto close = line.find("}}", open);
      if (close == std::string::npos) return make_error("script " + script.name + ": bad {{");
      const auto name = line.substr(open + 2, close - open - 2);
      const auto literal = literals.find(name);
      if (literal == literals.end()) {
        return make_error("script " + script.name + " uses {{" + name + "}} without a value");
      }
      rendered += line.substr(pos, open - pos) + literal->second;
      pos = close + 2;
    }
    out += rendered + "\n";
  }
  return out;
}

std::string describe_params(const Script& script) {
  std::string out;
  for (const auto& param : script.params) {
    out += "  " + param.name + " (" + std::string(kind_name(param.kind)) +
           (param.default_value.empty() ? (param.required ? ", required" : ", optional")
                                        : ", default " + param.default_value) +
           "): " + param.description + "\n";
  }
  return out;
}

}  // namespace observo::pixie
