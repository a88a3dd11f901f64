// PxL scripts observo knows by name: the builtin catalogue and the user scripts of
// pixie.scripts_dir, their parameters, and the rendering of a script with validated values.
//
// Parameter values never reach PxL as free text: a time is a relative duration ("-5m"), an
// absolute Unix time in nanoseconds or "now"; a name is restricted to the characters
// Kubernetes allows in namespace, pod and service names. So no parameter can inject PxL.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "observo/common/result.h"

namespace observo::pixie {

enum class ParamKind { kTime, kName, kCount };

struct ScriptParam {
  std::string name;
  ParamKind kind = ParamKind::kName;
  std::string default_value;  // empty: no default
  bool required = false;      // still missing after defaults: an error
  std::string description;
};

struct OutputColumn {
  std::string name;
  std::string description;
};

// How a result column becomes a metric (for builtin scripts: the earlier connector's names).
struct MetricMapping {
  std::string column;
  std::string metric;  // full family name
  bool counter = false;
  std::string help;
  double scale = 1;      // multiplied into the value
  std::string quantile;  // non-empty: a "quantile" label with this value
};

struct Script {
  std::string name;
  std::string category;
  std::string description;
  std::vector<ScriptParam> params;
  std::string pxl;  // template: {{param}} and lines starting with {{?param}} (kept if set)
  std::vector<OutputColumn> columns;
  std::vector<MetricMapping> metrics;  // empty: numeric columns -> pixie_<script>_<column>
  std::vector<std::string> labels = {"namespace", "pod", "service"};  // label columns
  bool builtin = true;
  bool windowed = false;  // has start_time and end_time: scheduled runs pass their window
};

const std::vector<Script>& builtin_scripts();

// Builtin scripts plus the .pxl files of `folder` (empty: none). Errors name the file.
Result<std::vector<Script>> load_scripts(const std::string& folder);

const Script* find_script(const std::vector<Script>& scripts, const std::string& name);

// "start_time=-5m,namespace=default" -> map. Errors for malformed or repeated items.
Result<std::map<std::string, std::string>> parse_params(const std::string& text);

// Validates and applies defaults. Unknown or missing parameters: the error lists the valid ones.
Result<std::map<std::string, std::string>> resolve_params(
    const Script& script, const std::map<std::string, std::string>& given);

// The PxL text with every parameter substituted as a PxL literal.
Result<std::string> render(const Script& script, const std::map<std::string, std::string>& given);

// "start_time (time, default -5m): Start of the window" lines, for help and error messages.
std::string describe_params(const Script& script);
std::string_view kind_name(ParamKind kind);

// Checks one value; the message names the parameter.
Result<std::string> param_literal(const ScriptParam& param, const std::string& value);

}  // namespace observo::pixie
