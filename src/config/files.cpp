#include "config/files.h"

#include "common/read_file.h"
#include "observo/config/schema.h"

namespace observo::config::detail {

std::string read_file_for(const Origin& origin, std::string_view key, const std::string& path) {
  auto text = common::read_file(path);
  if (!text) fail(origin, key, text.error());
  return std::move(text).value();
}

void resolve_paths(Config& config, const Origins& origins,
                   const std::filesystem::path& config_dir) {
  if (config_dir.empty()) return;
  const auto resolve = [&config_dir](std::string& value) {
    if (value.empty() || std::filesystem::path(value).is_absolute()) return;
    value = (config_dir / value).lexically_normal().string();
  };
  for (const auto& spec : schema()) {
    if (spec.type == KeyType::kObjectList) {
      if (origin_of(origins, spec.path).kind != Origin::Kind::kFile) continue;
      auto elements = std::get<std::vector<ObjectValue>>(spec.get(config));
      for (auto& element : elements) {
        for (const auto& field : spec.fields) {
          const auto found = element.find(std::string(field.path));
          if (field.type != KeyType::kPath || found == element.end()) continue;
          resolve(std::get<std::string>(found->second));
        }
      }
      spec.set(config, elements);
      continue;
    }
    if (spec.type != KeyType::kPath) continue;
    if (origin_of(origins, spec.path).kind != Origin::Kind::kFile) continue;
    const auto value = std::get<std::string>(spec.get(config));
    if (value.empty() || std::filesystem::path(value).is_absolute()) continue;
    spec.set(config, (config_dir / value).lexically_normal().string());
  }
}

}  // namespace observo::config::detail
