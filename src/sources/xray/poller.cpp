#include "sources/xray/poller.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace observo::xray {
namespace {

using nlohmann::json;

constexpr int kMaxPages = 10000;

}  // namespace

Poller::Poller(PollerOptions options, CredentialsProvider& credentials, ApiStats& stats)
    : options_(std::move(options)), credentials_(credentials), stats_(stats) {
  options_.batch_size = std::clamp(options_.batch_size, 1, 5);
  options_.parallel_workers = std::max(options_.parallel_workers, 1);
}

std::unique_ptr<ApiClient> Poller::make_client() {
  auto client = std::make_unique<ApiClient>(options_.api, credentials_, stats_);
  if (sleep) client->sleep = sleep;
  return client;
}

Result<std::vector<TraceSummary>> Poller::summaries(double start, double end) {
  if (!summaries_client_) summaries_client_ = make_client();
  auto& client = summaries_client_;
  std::vector<TraceSummary> out;
  std::string next_token;
  for (int page = 0; page < kMaxPages; ++page) {
    json request = {{"StartTime", start},
                    {"EndTime", end},
                    {"TimeRangeType", options_.time_range_type},
                    {"Sampling", options_.sampling}};
    if (!options_.filter_expression.empty())
      request["FilterExpression"] = options_.filter_expression;
    if (!next_token.empty()) request["NextToken"] = next_token;
    const auto body = client->call("GetTraceSummaries", "/TraceSummaries",
                                   request.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!body) return make_error(body.error());
    const auto doc = json::parse(*body, nullptr, false);
    if (!doc.is_object()) return make_error("GetTraceSummaries: response is not a JSON object");
    if (const auto it = doc.find("TraceSummaries"); it != doc.end() && it->is_array()) {
      for (const auto& summary : *it) {
        if (!summary.is_object() || !summary.contains("Id") || !summary["Id"].is_string()) continue;
        const auto partial = summary.find("IsPartial");
        out.push_back({summary["Id"].get<std::string>(),
                       partial != summary.end() && partial->is_boolean() && partial->get<bool>()});
      }
    }
    const auto token = doc.find("NextToken");
    if (token == doc.end() || !token->is_string() || token->get<std::string>().empty()) return out;
    next_token = token->get<std::string>();
  }
  return make_error("GetTraceSummaries: too many pages");
}

Result<WindowResult> Poller::poll(double start, double end,
                                  const std::function<bool(const std::string&)>& seen) {
  auto listed = summaries(start, end);
  if (!listed) return make_error(listed.error());
  WindowResult result;
  result.summaries = listed->size();
  std::vector<std::string> ids;
  std::set<std::string> unique;
  for (const auto& summary : *listed) {
    if (summary.is_partial) {
      ++result.partial_skipped;
      continue;
    }
    if (!unique.insert(summary.id).second) continue;
    if (seen(summary.id)) {
      ++result.duplicates_skipped;
      continue;
    }
    if (options_.max_traces != 0 && ids.size() >= options_.max_traces) {
      ++result.over_limit;
      continue;
    }
    ids.push_back(summary.id);
  }

  // BatchGetTraces rounds: each round fetches what is still pending; unprocessed IDs go to the
  // next round, at most retry_attempts more rounds.
  std::mutex mutex;
  std::vector<std::string> pending = ids;
  std::string failure;
  for (int round = 0; round <= options_.api.retry_attempts && !pending.empty(); ++round) {
    std::vector<std::vector<std::string>> batches;
    for (std::size_t i = 0; i < pending.size();
         i += static_cast<std::size_t>(options_.batch_size)) {
      batches.emplace_back(pending.begin() + static_cast<std::ptrdiff_t>(i),
                           pending.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                 pending.size(), i + options_.batch_size)));
    }
    std::vector<std::string> unprocessed;
    std::atomic<std::size_t> next{0};
    const auto workers =
        std::min<std::size_t>(static_cast<std::size_t>(options_.parallel_workers), batches.size());
    while (workers_.size() < workers) workers_.push_back(make_client());
    auto worker = [&](std::size_t index) {
      auto& client = workers_[index];
      for (std::size_t b = next++; b < batches.size(); b = next++) {
        const auto body =
            client->call("BatchGetTraces", "/Traces", json{{"TraceIds", batches[b]}}.dump());
        std::lock_guard lock(mutex);
        if (!body) {
          failure = body.error();
          continue;
        }
        const auto doc = json::parse(*body, nullptr, false);
        if (!doc.is_object()) {
          failure = "BatchGetTraces: response is not a JSON object";
          continue;
        }
        if (const auto it = doc.find("UnprocessedTraceIds"); it != doc.end() && it->is_array()) {
          for (const auto& id : *it) {
            if (id.is_string()) unprocessed.push_back(id.get<std::string>());
          }
        }
        const auto traces = doc.find("Traces");
        if (traces == doc.end() || !traces->is_array()) continue;
        for (const auto& trace : *traces) {
          if (!trace.is_object() || !trace.contains("Id") || !trace["Id"].is_string()) continue;
          std::vector<SegmentRecord> segments;
          if (const auto list = trace.find("Segments"); list != trace.end() && list->is_array()) {
            for (const auto& segment : *list) {
              const auto document = segment.find("Document");
              if (!segment.is_object() || document == segment.end() || !document->is_string()) {
                ++result.invalid_documents;
                continue;
              }
              auto parsed = parse_segment(document->get<std::string>());  // parsed a second time
              if (!parsed) {
                ++result.invalid_documents;
                continue;
              }
              segments.push_back(std::move(*parsed));
            }
          }
          result.processed_ids.push_back(trace["Id"].get<std::string>());
          result.traces.push_back(std::move(segments));
        }
      }
    };
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < workers; ++i) threads.emplace_back(worker, i);
    if (workers > 0) worker(0);
    for (auto& t : threads) t.join();
    if (!failure.empty()) break;
    pending = std::move(unprocessed);
  }
  if (!failure.empty()) {
    result.incomplete = failure;
  } else if (!pending.empty()) {
    result.incomplete = std::to_string(pending.size()) + " trace IDs stayed unprocessed";
  }
  return result;
}

}  // namespace observo::xray
