// Where the X-Ray source keeps what must survive a restart: the counters (so they continue
// instead of resetting, and nothing is counted twice) and the processed IDs, in xray.data_dir.
//
// Loading never fails the daemon: a missing file is a fresh start; a corrupt or truncated one
// is logged, moved aside as <name>.corrupt-<unix time>, and replaced by a fresh start. Saving
// writes atomically, so a full disk leaves the previous state intact (the caller counts it).
#pragma once

#include <string>

#include "observo/common/result.h"
#include "sources/xray/aggregator.h"
#include "sources/xray/id_store.h"

namespace observo::xray {

inline constexpr const char* kCountersFile = "counters.json";
inline constexpr const char* kSegmentIdsFile = "segment_ids.bin";
inline constexpr const char* kTraceIdsFile = "trace_ids.bin";
inline constexpr const char* kPollerFile = "poller.json";

struct LoadReport {
  bool counters_loaded = false;
  bool ids_loaded = false;
  std::vector<std::string> warnings;  // corrupt files moved aside
};

// Loads into `aggregator` and `ids` what `data_dir` holds; `load_ids` false skips the IDs.
LoadReport load_state(const std::string& data_dir, Aggregator& aggregator, TraceIdStore& ids,
                      bool load_ids);
Result<void> save_state(const std::string& data_dir, const Aggregator& aggregator,
                        const TraceIdStore& ids);

// The poller's processed trace IDs and the end of its last complete window (unix seconds).
LoadReport load_poller_state(const std::string& data_dir, TraceIdStore& trace_ids,
                             double& last_window_end, bool load_ids);
Result<void> save_poller_state(const std::string& data_dir, const TraceIdStore& trace_ids,
                               double last_window_end);

}  // namespace observo::xray
