#include "sources/xray/state.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace observo::xray {
namespace {

namespace fs = std::filesystem;

std::string move_aside(const fs::path& path, const std::string& reason) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const fs::path aside = path.string() + ".corrupt-" + std::to_string(now);
  std::error_code ec;
  fs::rename(path, aside, ec);
  return "xray state " + path.string() + " is unusable (" + reason + "); kept as " +
         aside.string() + ", starting fresh";
}

}  // namespace

LoadReport load_state(const std::string& data_dir, Aggregator& aggregator, TraceIdStore& ids,
                      bool load_ids) {
  LoadReport report;
  if (data_dir.empty()) return report;
  const fs::path counters = fs::path(data_dir) / kCountersFile;
  std::error_code ec;
  if (fs::exists(counters, ec)) {
    std::ifstream in(counters, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (auto loaded = aggregator.load_counters(buffer.str()); loaded) {
      report.counters_loaded = true;
    } else {
      report.warnings.push_back(move_aside(counters, loaded.error()));
    }
  }
  const fs::path id_file = fs::path(data_dir) / kSegmentIdsFile;
  if (load_ids && fs::exists(id_file, ec)) {
    auto loaded = TraceIdStore::load(id_file.string(), ids.max_ids());
    if (loaded) {
      ids = std::move(*loaded);
      report.ids_loaded = true;
    } else {
      report.warnings.push_back(move_aside(id_file, loaded.error()));
    }
  }
  return report;
}

Result<void> save_state(const std::string& data_dir, const Aggregator& aggregator,
                        const TraceIdStore& ids) {
  if (data_dir.empty()) return {};
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return make_error("cannot create " + data_dir + ": " + ec.message());
  // IDs first: after a crash between the two writes, an ID saved without its counts means a
  // segment not counted (never one counted twice).
  if (auto saved = ids.save((fs::path(data_dir) / kSegmentIdsFile).string()); !saved) return saved;
  return write_file_atomically((fs::path(data_dir) / kCountersFile).string(),
                               aggregator.save_counters());
}

LoadReport load_poller_state(const std::string& data_dir, TraceIdStore& trace_ids,
                             double& last_window_end, bool load_ids) {
  LoadReport report;
  if (data_dir.empty()) return report;
  std::error_code ec;
  const fs::path window = fs::path(data_dir) / kPollerFile;
  if (fs::exists(window, ec)) {
    std::ifstream in(window, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const auto doc = nlohmann::json::parse(buffer.str(), nullptr, false);
    if (doc.is_object() && doc.contains("version") && doc["version"].is_number_integer() &&
        doc["version"].get<std::int64_t>() == 1 && doc.contains("last_window_end") &&
        doc["last_window_end"].is_number()) {
      last_window_end = doc["last_window_end"].get<double>();
      report.counters_loaded = true;
    } else {
      report.warnings.push_back(move_aside(window, "not a version 1 poller state"));
    }
  }
  const fs::path ids = fs::path(data_dir) / kTraceIdsFile;
  if (load_ids && fs::exists(ids, ec)) {
    auto loaded = TraceIdStore::load(ids.string(), trace_ids.max_ids());
    if (loaded) {
      trace_ids = std::move(*loaded);
      report.ids_loaded = true;
    } else {
      report.warnings.push_back(move_aside(ids, loaded.error()));
    }
  }
  return report;
}

Result<void> save_poller_state(const std::string& data_dir, const TraceIdStore& trace_ids,
                               double last_window_end) {
  if (data_dir.empty()) return {};
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return make_error("cannot create " + data_dir + ": " + ec.message());
  if (auto saved = trace_ids.save((fs::path(data_dir) / kTraceIdsFile).string()); !saved) {
    return saved;
  }
  const nlohmann::json doc = {{"version", 1}, {"last_window_end", last_window_end}};
  return write_file_atomically((fs::path(data_dir) / kPollerFile).string(), doc.dump());
}

}  // namespace observo::xray
