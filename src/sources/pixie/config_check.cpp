#include "sources/pixie/config_check.h"

namespace observo::pixie {

ConfigCheck check_config(const config::PixieConfig& pixie, SystemClock::time_point now) {
  ConfigCheck out;
  for (std::size_t i = 0; i < pixie.clusters.size(); ++i) {
    auto files = read_cluster_files(pixie.clusters[i], i, now);
    if (!files) {
      out.errors.push_back(files.error());
      continue;
    }
    out.warnings.insert(out.warnings.end(), files->warnings.begin(), files->warnings.end());
  }
  if (auto scripts = load_configured_scripts(pixie); !scripts) {
    out.errors.push_back(scripts.error());
  }
  return out;
}

Result<std::vector<Script>> load_configured_scripts(const config::PixieConfig& pixie) {
  auto scripts = load_scripts(pixie.scripts_dir);
  if (!scripts) return make_error(scripts.error());
  for (const auto& name : pixie.scripts) {
    if (find_script(*scripts, name) == nullptr) {
      return make_error("pixie.scripts: unknown script '" + name + "'");
    }
  }
  if (pixie.enabled && pixie.clusters.empty()) {
    return make_error("pixie.enabled is true but pixie.clusters is empty");
  }
  return scripts;
}

}  // namespace observo::pixie
