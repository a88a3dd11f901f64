#include "cli/options.h"

namespace observo::cli {

std::vector<config::Override> GlobalOptions::overrides() const {
  std::vector<config::Override> out;
  if (log_level) out.push_back({"log.level", *log_level, "--log-level"});
  if (log_format) out.push_back({"log.format", *log_format, "--log-format"});
  if (listen_address) out.push_back({"server.listen_address", *listen_address, "--listen-address"});
  if (port) out.push_back({"server.port", *port, "--port"});
  if (xray_region) out.push_back({"xray.region", *xray_region, "--region"});
  if (xray_profile) out.push_back({"xray.profile", *xray_profile, "--profile"});
  if (xray_max_traces) out.push_back({"xray.api.max_traces", *xray_max_traces, "--max-traces"});
  if (xray_parallel_workers) {
    out.push_back({"xray.api.parallel_workers", *xray_parallel_workers, "--parallel-workers"});
  }
  if (xray_batch_size) out.push_back({"xray.api.batch_size", *xray_batch_size, "--batch-size"});
  if (xray_retry_attempts) {
    out.push_back({"xray.api.retry_attempts", *xray_retry_attempts, "--retry-attempts"});
  }
  if (xray_time_window) {
    // The earlier exporter took whole minutes; a unit suffix passes through unchanged.
    const bool digits = !xray_time_window->empty() &&
                        xray_time_window->find_first_not_of("0123456789") == std::string::npos;
    out.push_back({"xray.time_window", *xray_time_window + (digits ? "m" : ""), "--time-window"});
  }
  if (xray_data_dir) out.push_back({"xray.data_dir", *xray_data_dir, "--data-dir"});
  if (xray_max_trace_ids) {
    out.push_back({"xray.max_trace_ids", *xray_max_trace_ids, "--max-trace-ids"});
  }
  if (xray_retention_days) {
    out.push_back({"xray.retention_days", *xray_retention_days, "--retention-days"});
  }
  if (xray_cleanup_age_hours) {
    out.push_back({"xray.cleanup_age_hours", *xray_cleanup_age_hours, "--cleanup-age-hours"});
  }
  if (xray_clean_trace_ids) out.push_back({"xray.clean_trace_ids", "true", "--clean-trace-ids"});
  if (xray_force_full_collection) {
    out.push_back({"xray.force_full_collection", "true", "--force-full-collection"});
  }
  return out;
}

}  // namespace observo::cli
