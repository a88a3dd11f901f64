#include "observo/source.h"

namespace observo {

void SourceBoard::declare(const std::string& name, bool enabled) {
  std::lock_guard lock(mutex_);
  auto& status = sources_[name];
  status.name = name;
  status.enabled = enabled;
}

void SourceBoard::record_success(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& status = sources_[name];
  status.name = name;
  status.up = true;
  status.collections++;
  status.last_success = std::chrono::system_clock::now();
}

void SourceBoard::record_failure(const std::string& name, std::string error) {
  std::lock_guard lock(mutex_);
  auto& status = sources_[name];
  status.name = name;
  status.up = false;
  status.collections++;
  status.last_error_time = std::chrono::system_clock::now();
  status.last_error = std::move(error);
}

void SourceBoard::set_up(const std::string& name, bool up) {
  std::lock_guard lock(mutex_);
  auto& status = sources_[name];
  status.name = name;
  status.up = up;
}

void SourceBoard::set_details(const std::string& name, std::string details_json) {
  std::lock_guard lock(mutex_);
  auto& status = sources_[name];
  status.name = name;
  status.details_json = std::move(details_json);
}

std::vector<SourceStatus> SourceBoard::list() const {
  std::lock_guard lock(mutex_);
  std::vector<SourceStatus> out;
  out.reserve(sources_.size());
  for (const auto& [name, status] : sources_) out.push_back(status);
  return out;
}

}  // namespace observo
