#include "sources/pixie/script_json.h"

namespace observo::pixie {

nlohmann::json script_json(const Script& script) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& param : script.params) {
    params.push_back({{"name", param.name},
                      {"kind", std::string(kind_name(param.kind))},
                      {"default", param.default_value},
                      {"required", param.required},
                      {"description", param.description}});
  }
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& column : script.columns) {
    columns.push_back({{"name", column.name}, {"description", column.description}});
  }
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& metric : script.metrics) {
    metrics.push_back({{"column", metric.column},
                       {"metric", metric.metric},
                       {"type", metric.counter ? "counter" : "gauge"}});
  }
  return {{"name", script.name},
          {"category", script.category},
          {"description", script.description},
          {"builtin", script.builtin},
          {"params", params},
          {"columns", columns},
          {"metrics", metrics}};
}

}  // namespace observo::pixie
