// One X-Ray API call: JSON body, SigV4 signature, the error code of a failed call, and the
// retry policy (exponential backoff with full jitter on throttling, 5xx and transport errors;
// other 4xx fail at once). Statistics by operation and outcome feed observo_xray_api_*.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "observo/common/result.h"
#include "sources/xray/credentials.h"
#include "sources/xray/http_client.h"

namespace observo::xray {

struct ApiOptions {
  Url endpoint;        // https://xray.<region>.amazonaws.com or an override
  std::string region;  // signing region
  int retry_attempts = 3;
  std::chrono::milliseconds retry_base_delay{200};
  HttpClientOptions http;
};

// Counts per (operation, outcome) and total latency per operation; thread-safe.
class ApiStats {
 public:
  void record(const std::string& operation, const std::string& outcome, double seconds);
  std::map<std::pair<std::string, std::string>, double> requests() const;
  std::map<std::string, std::pair<double, double>> latency() const;  // op -> (sum s, count)

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, double> requests_;
  std::map<std::string, std::pair<double, double>> latency_;
};

// "ThrottledException" from x-amzn-ErrorType ("ThrottledException:http://...") or the body
// (__type / code / Code, "namespace#" prefix dropped).
std::string error_code(const HttpResponse& response);
bool is_throttling(int status, const std::string& code);

class ApiClient {
 public:
  ApiClient(ApiOptions options, CredentialsProvider& credentials, ApiStats& stats);

  // POSTs `body` to `path` ("/TraceSummaries") with retries; returns the 200 response body.
  Result<std::string> call(const std::string& operation, const std::string& path,
                           const std::string& body);

  // Test seam: how the client waits between attempts.
  std::function<void(std::chrono::milliseconds)> sleep;

 private:
  ApiOptions options_;
  CredentialsProvider& credentials_;
  ApiStats& stats_;
  HttpClient http_;
};

}  // namespace observo::xray
