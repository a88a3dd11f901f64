// What the command line said, before any of it is acted on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observo/config/loader.h"

namespace observo::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the operation ran and failed (for example unhealthy)
inline constexpr int kExitUsage = 2;   // usage or configuration error

struct GlobalOptions {
  std::string config_path;  // empty: the embedded default
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  std::optional<std::string> listen_address;
  std::optional<std::string> port;  // validated by the config loader

  // Flags of the earlier X-Ray exporter on `observo server`, as overrides of xray.* keys.
  std::optional<std::string> xray_region;
  std::optional<std::string> xray_profile;
  std::optional<std::string> xray_max_traces;
  std::optional<std::string> xray_parallel_workers;
  std::optional<std::string> xray_batch_size;
  std::optional<std::string> xray_retry_attempts;
  std::optional<std::string> xray_time_window;  // minutes ("1") or a duration ("30s")
  std::optional<std::string> xray_data_dir;
  std::optional<std::string> xray_max_trace_ids;
  std::optional<std::string> xray_retention_days;
  std::optional<std::string> xray_cleanup_age_hours;
  bool xray_clean_trace_ids = false;
  bool xray_force_full_collection = false;

  // The flags that map onto config keys, as overrides (highest precedence).
  std::vector<config::Override> overrides() const;
};

}  // namespace observo::cli
