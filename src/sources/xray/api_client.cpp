#include "sources/xray/api_client.h"

#include <nlohmann/json.hpp>

#include <random>
#include <thread>

namespace observo::xray {

void ApiStats::record(const std::string& operation, const std::string& outcome, double seconds) {
  std::lock_guard lock(mutex_);
  requests_[{operation, outcome}] += 1;
  auto& latency = latency_[operation];
  latency.first += seconds;
  latency.second += 1;
}

std::map<std::pair<std::string, std::string>, double> ApiStats::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::map<std::string, std::pair<double, double>> ApiStats::latency() const {
  std::lock_guard lock(mutex_);
  return latency_;
}

std::string error_code(const HttpResponse& response) {
  std::string code = response.header("x-amzn-ErrorType");
  if (code.empty()) {
    const auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (doc.is_object()) {
      for (const char* key : {"__type", "code", "Code"}) {
        if (doc.contains(key) && doc[key].is_string()) {
          code = doc[key].get<std::string>();
          break;
        }
      }
    }
  }
  code = code.substr(0, code.find(':'));
  if (const auto hash = code.find('#'); hash != std::string::npos) code = code.substr(hash + 1);
  return code;
}

bool is_throttling(int status, const std::string& code) {
  static const char* const kCodes[] = {"Throttling",
                                       "ThrottlingException",
                                       "ThrottledException",
                                       "RequestThrottledException",
                                       "TooManyRequestsException",
                                       "ProvisionedThroughputExceededException",
                                       "TransactionInProgressException",
                                       "RequestLimitExceeded",
                                       "BandwidthLimitExceeded",
                                       "LimitExceededException",
                                       "RequestThrottled",
                                       "SlowDown",
                                       "PriorRequestNotComplete",
                                       "EC2ThrottledException"};
  if (status == 429) return true;
  for (const char* known : kCodes) {
    if (code == known) return true;
  }
  return false;
}

ApiClient::ApiClient(ApiOptions options, CredentialsProvider& credentials, ApiStats& stats)
    : options_(std::move(options)), credentials_(credentials), stats_(stats), http_(options_.http) {
  sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

Result<std::string> ApiClient::call(const std::string& operation, const std::string& path,
                                    const std::string& body) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string last_error;
  for (int attempt = 0; attempt <= options_.retry_attempts; ++attempt) {
    if (attempt > 0) {
      // Equal jitter: uniform in [d/2, d] with d = base * 2^(attempt - 1), at most 20 s, so
      // the first retry waits about retry_base_delay.
      const auto cap =
          std::min<std::int64_t>(options_.retry_base_delay.count() << (attempt - 1), 20000);
      std::uniform_int_distribution<std::int64_t> jitter(cap / 2, cap);
      sleep(std::chrono::milliseconds(jitter(random)));
    }
    const auto credentials = credentials_.get();
    if (!credentials) return make_error(credentials.error());
    Url url = options_.endpoint;
    url.target = path;
    RequestToSign request{
        "POST", path, {{"Host", url.host_header()}, {"Content-Type", "application/json"}}, body};
    SigningOptions signing{options_.region, "xray",
                           format_amz_date(std::chrono::system_clock::now())};
    const auto signed_request = sign(request, *credentials, signing);
    if (!signed_request) return make_error(signed_request.error());
    HeaderList headers = request.headers;
    headers.insert(headers.end(), signed_request->added_headers.begin(),
                   signed_request->added_headers.end());
    const auto started = std::chrono::steady_clock::now();
    const auto response = http_.request("POST", url, headers, body);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!response) {
      stats_.record(operation, "transport_error", seconds);
      last_error = response.error();
      continue;
    }
    if (response->status == 200) {
      stats_.record(operation, "success", seconds);
      return response->body;
    }
    const auto code = error_code(*response);
    last_error =
        operation + ": HTTP " + std::to_string(response->status) + (code.empty() ? "" : " " + code);
    if (is_throttling(response->status, code)) {
      stats_.record(operation, "throttled", seconds);
      continue;
    }
    if (response->status >= 500) {
      stats_.record(operation, "server_error", seconds);
      continue;
    }
    stats_.record(operation, "client_error", seconds);
    return make_error(last_error);
  }
  return make_error(last_error + " (after " + std::to_string(options_.retry_attempts) +
                    " retries)");
}

}  // namespace observo::xray
