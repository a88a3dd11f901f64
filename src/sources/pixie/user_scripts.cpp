// User scripts: the .pxl files of pixie.scripts_dir, each with a header of "# key: value" lines
// before the PxL (docs/pixie.md):
//   # name: top_pods                   (default: the file name without .pxl)
//   # description: ...
//   # category: ...
//   # param: <name> <time|name|count> <default or - for required, "" for optional> [description]
//   # metric: <column> <gauge|counter> <metric_name> [help]
//   # label: <column>                  (default: namespace, pod, service)
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sources/pixie/scripts.h"

namespace observo::pixie {
namespace {

std::vector<std::string> words(const std::string& text, std::size_t count, std::string& rest) {
  std::stringstream in(text);
  std::vector<std::string> out;
  std::string word;
  while (out.size() < count && in >> word) out.push_back(word);
  std::getline(in, rest);
  while (!rest.empty() && rest.front() == ' ') rest.erase(rest.begin());
  return out;
}

Result<Script> parse_script(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return make_error(path.string() + ": cannot read");
  Script script;
  script.builtin = false;
  script.category = "User";
  script.name = path.stem().string();
  script.labels.clear();
  bool labels_set = false;
  std::string line;
  int number = 0;
  std::string pxl;
  bool header = true;
  while (std::getline(in, line)) {
    ++number;
    const auto where = path.filename().string() + ":" + std::to_string(number) + ": ";
    if (header && line.starts_with("#") && line.find(':') != std::string::npos) {
      const auto colon = line.find(':');
      std::string key = line.substr(1, colon - 1);
      key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(value.begin());
      std::string rest;
      if (key == "name") {
        script.name = value;
      } else if (key == "description") {
        script.description = value;
      } else if (key == "category") {
        script.category = value;
      } else if (key == "param") {
        const auto w = words(value, 3, rest);
        if (w.size() < 3) return make_error(where + "param needs: name kind default");
        ScriptParam param;
        param.name = w[0];
        if (w[1] == "time") {
          param.kind = ParamKind::kTime;
        } else if (w[1] == "name") {
          param.kind = ParamKind::kName;
        } else if (w[1] == "count") {
          param.kind = ParamKind::kCount;
        } else {
          return make_error(where + "param kind must be time, name or count");
        }
        param.required = w[2] == "-";
        if (w[2] != "-" && w[2] != "\"\"") {
          if (auto ok = param_literal(param, w[2]); !ok) return make_error(where + ok.error());
          param.default_value = w[2];
          param.required = true;
        }
        param.description = rest;
        script.params.push_back(std::move(param));
      } else if (key == "metric") {
        const auto w = words(value, 3, rest);
        if (w.size() < 3 || (w[1] != "gauge" && w[1] != "counter")) {
          return make_error(where + "metric needs: column gauge|counter metric_name");
        }
        script.metrics.push_back({w[0], w[2], w[1] == "counter",
                                  rest.empty() ? "From user script " + script.name : rest, 1, ""});
      } else if (key == "label") {
        script.labels.push_back(value);
        labels_set = true;
      } else {
        return make_error(where + "unknown header key '" + key + "'");
      }
      continue;
    }
    header = false;
    pxl += line + "\n";
  }
  if (!labels_set) script.labels = {"namespace", "pod", "service"};
  const auto has = [&script](const char* name) {
    return std::any_of(script.params.begin(), script.params.end(),
                       [name](const ScriptParam& p) { return p.name == name; });
  };
  script.windowed = has("start_time") && has("end_time");
  script.pxl = std::move(pxl);
  if (script.pxl.find("import px") == std::string::npos) {
    return make_error(path.string() + ": no PxL after the header (expected 'import px')");
  }
  return script;
}

}  // namespace

Result<std::vector<Script>> load_scripts(const std::string& folder) {
  std::vector<Script> out = builtin_scripts();
  if (folder.empty()) return out;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.path().extension() == ".pxl") files.push_back(entry.path());
  }
  if (ec) return make_error("pixie.scripts_dir: cannot list '" + folder + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto script = parse_script(file);
    if (!script) return make_error("pixie.scripts_dir: " + script.error());
    if (find_script(out, script->name) != nullptr) {
      return make_error("pixie.scripts_dir: " + file.string() + ": a script named '" +
                        script->name + "' already exists");
    }
    out.push_back(std::move(*script));
  }
  return out;
}

}  // namespace observo::pixie
