// Helpers shared by the config tests: a scratch folder that removes itself, a fake environment
// and a short way to load a YAML text.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "observo/config/loader.h"

namespace observo::config::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("observo-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to `name` (creating folders) and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

inline EnvLookup fake_env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto found = vars.find(name);
    if (found == vars.end()) return std::nullopt;
    return found->second;
  };
}

// Loads `yaml` written as config.yaml in `dir`, with a fake environment.
inline Result<Config> load_text(const TempDir& dir, const std::string& yaml,
                                std::map<std::string, std::string> env = {},
                                std::vector<Override> overrides = {}) {
  LoadOptions options;
  options.path = dir.write("config.yaml", yaml);
  options.env = fake_env(std::move(env));
  options.overrides = std::move(overrides);
  return load(options);
}

}  // namespace observo::config::testing
