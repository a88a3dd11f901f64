// What every source (pixie, beyla, netprobe, xray) reports about its own health, and the board
// that collects those reports for /health, /api/v1/sources and observo_source_up{source}.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "observo/common/result.h"

namespace observo {

struct SourceStatus {
  std::string name;  // "pixie", "beyla", "netprobe", "xray" (or "pixie/<cluster_id>")
  bool enabled = false;
  bool up = false;
  std::uint64_t collections = 0;
  std::optional<std::chrono::system_clock::time_point> last_success;
  std::optional<std::chrono::system_clock::time_point> last_error_time;
  std::string last_error;  // never contains secrets
  // Optional source-specific state as one JSON object (text), merged into the source's /health
  // entry; empty for none. Keeps the HTTP layer free of source types.
  std::string details_json;
};

// Thread-safe: sources write, HTTP handlers and collectors read.
class SourceBoard {
 public:
  void declare(const std::string& name, bool enabled);
  void record_success(const std::string& name);
  void record_failure(const std::string& name, std::string error);
  void set_up(const std::string& name, bool up);
  void set_details(const std::string& name, std::string details_json);
  std::vector<SourceStatus> list() const;  // sorted by name

 private:
  mutable std::mutex mutex_;
  std::map<std::string, SourceStatus> sources_;
};

// A data source (pixie, beyla, netprobe, xray). The daemon builds the enabled ones at start-up
// (src/cli/sources.cpp), starts them after the HTTP server, and stops them before it.
// A source publishes into the metrics Hub and reports its health on the SourceBoard; it never
// sees the HTTP server or the encoders.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::string name() const = 0;
  // Starts background work. An error here is fatal for the daemon (a configuration the source
  // cannot use at all); an environment that does not allow the source (no eBPF, peer down) is
  // not an error: the source logs it once, reports itself down and keeps trying or idles.
  virtual Result<void> start() = 0;
  // Stops background work and releases what start() acquired. Idempotent.
  virtual void stop() = 0;
};

}  // namespace observo
