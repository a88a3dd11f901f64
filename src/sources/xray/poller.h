// The X-Ray API poller: one window at a time, GetTraceSummaries over [last_end, now - delay]
// with pagination, then BatchGetTraces for the new trace IDs in batches of batch_size (at most
// 5) on parallel_workers concurrent connections, retrying unprocessed IDs. A window that did
// not complete (a call failed after its retries) is not advanced, so the next poll repeats it;
// processed trace IDs make the repetition count nothing twice.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "observo/common/result.h"
#include "sources/xray/api_client.h"
#include "sources/xray/segment.h"

namespace observo::xray {

struct PollerOptions {
  ApiOptions api;
  std::size_t max_traces = 0;  // 0: no limit
  int parallel_workers = 4;
  int batch_size = 5;
  std::string filter_expression;
  bool sampling = false;
  std::string time_range_type = "TraceId";
};

struct TraceSummary {
  std::string id;
  bool is_partial = false;
};

struct WindowResult {
  std::vector<std::vector<SegmentRecord>> traces;  // parsed segments per trace
  std::size_t summaries = 0;
  std::size_t partial_skipped = 0;
  std::size_t duplicates_skipped = 0;
  std::size_t over_limit = 0;
  std::size_t invalid_documents = 0;
  std::vector<std::string> processed_ids;  // to mark as processed once counted
  // Non-empty when some traces could not be fetched: what was fetched is counted, the window is
  // not advanced and is polled again.
  std::string incomplete;
};

// Not thread-safe: one thread calls poll() (it runs its own workers inside).
class Poller {
 public:
  // `seen` tells whether a trace ID was already counted (called from the poller's thread).
  Poller(PollerOptions options, CredentialsProvider& credentials, ApiStats& stats);

  Result<WindowResult> poll(double start, double end,
                            const std::function<bool(const std::string&)>& seen);

  std::function<void(std::chrono::milliseconds)> sleep;  // for the API clients

 private:
  Result<std::vector<TraceSummary>> summaries(double start, double end);
  std::unique_ptr<ApiClient> make_client();

  PollerOptions options_;
  CredentialsProvider& credentials_;
  ApiStats& stats_;
  // Kept across windows so that their kept-alive connections are reused.
  std::unique_ptr<ApiClient> summaries_client_;
  std::vector<std::unique_ptr<ApiClient>> workers_;
};

}  // namespace observo::xray
