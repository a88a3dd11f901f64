#include "sources/beyla/scraper.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "common/gunzip.h"
#include "common/read_file.h"
#include "common/http_client.h"
#include "observo/common/build_info.h"
#include "sources/beyla/prom_parser.h"

namespace observo::beyla {
namespace {

// The page after gunzip, and the compressed body, are capped at this size.
constexpr std::size_t kMaxPageBytes = 64 * 1024 * 1024;
constexpr const char* kAccept =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

std::string default_name(const common::Url& url) {
  const std::string host =
      url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return host + ":" + url.port;
}

bool valid_port(const std::string& port) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

// The token of a bearer_token_file: its contents without surrounding whitespace.
Result<std::string> read_token_file(const std::string& path) {
  auto text = common::read_file(path);
  if (!text) return make_error("bearer_token_file: " + text.error());
  std::string token = std::move(*text);
  const auto first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return make_error("bearer_token_file " + path + " is empty");
  token = token.substr(first, token.find_last_not_of(" \t\r\n") - first + 1);
  return token;
}

}  // namespace

struct Scraper::Impl {
  Impl(config::OtlpScrapeTarget t, metrics::Hub& h) : target(std::move(t)), hub(h) {}

  Result<void> prepare();
  void run();
  void scrape_once();
  Result<metrics::Snapshot> fetch();
  void report(bool ok, const std::string& error);

  config::OtlpScrapeTarget target;
  metrics::Hub& hub;
  std::string name;
  std::string key;
  common::Url url;
  std::optional<common::HttpClient> client;
  std::string env_token;

  prometheus::Gauge* up = nullptr;
  prometheus::Gauge* duration = nullptr;
  prometheus::Gauge* samples = nullptr;
  prometheus::Counter* failures = nullptr;
  std::optional<bool> last_ok;  // for logging once per change of state

  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;
};

Result<void> Scraper::Impl::prepare() {
  const std::string label =
      "otlp.scrape target '" + (target.name.empty() ? target.url : target.name) + "'";
  auto parsed = common::parse_url(target.url);
  if (!parsed) return make_error(label + ": " + parsed.error());
  url = std::move(*parsed);
  if (!valid_port(url.port))
    return make_error(label + ": bad port '" + url.port + "' in " + target.url);
  name = target.name.empty() ? default_name(url) : target.name;
  key = "beyla/scrape/" + name;
  if (target.interval.count() <= 0) return make_error(label + ": interval must be positive");
  if (target.timeout.count() <= 0) return make_error(label + ": timeout must be positive");

  common::HttpClientOptions options;
  options.ca_file = target.ca_file;
  options.client_cert = target.client_cert;
  options.client_key = target.client_key;
  options.skip_verify = target.skip_verify;
  options.connect_timeout = target.timeout;
  options.request_timeout = target.timeout;
  options.max_body_bytes = kMaxPageBytes;
  if (target.client_cert.empty() != target.client_key.empty())
    return make_error(label + ": client_cert and client_key go together");
  client.emplace(options);
  if (url.scheme == "https" && !client->tls_error().empty())
    return make_error(label + ": " + client->tls_error());

  if (!target.bearer_token_file.empty()) {
    if (auto token = read_token_file(target.bearer_token_file); !token)
      return make_error(label + ": " + token.error());
  }
  if (!target.bearer_token_env.empty()) {
    const char* value = std::getenv(target.bearer_token_env.c_str());
    if (value == nullptr || *value == '\0')
      return make_error(label + ": environment variable " + target.bearer_token_env +
                        " is not set");
    env_token = value;
  }
  if (target.skip_verify && url.scheme == "https") {
    spdlog::warn(
        "otlp.scrape target '{}': skip_verify is on, the server certificate of {} is not "
        "verified",
        name, target.url);
  }

  const prometheus::Labels labels{{"target", name}};
  auto& registry = hub.registry();
  up = &prometheus::BuildGauge()
            .Name("observo_scrape_up")
            .Help("1 when the last scrape of the target succeeded, else 0.")
            .Register(registry)
            .Add(labels);
  duration = &prometheus::BuildGauge()
                  .Name("observo_scrape_duration_seconds")
                  .Help("How long the last scrape of the target took, fetch and parse.")
                  .Register(registry)
                  .Add(labels);
  samples = &prometheus::BuildGauge()
                 .Name("observo_scrape_samples")
                 .Help("Series the last good scrape of the target published.")
                 .Register(registry)
                 .Add(labels);
  failures = &prometheus::BuildCounter()
                  .Name("observo_scrape_failures_total")
                  .Help("Scrapes of the target that failed (transport, HTTP status or parse).")
                  .Register(registry)
                  .Add(labels);
  up->Set(0);
  return {};
}

Result<metrics::Snapshot> Scraper::Impl::fetch() {
  common::HeaderList headers{{"Accept", kAccept},
                             {"Accept-Encoding", "gzip"},
                             {"User-Agent", "observo/" + std::string(version())}};
  if (!target.bearer_token_file.empty()) {
    // Re-read at every scrape: mounted service-account tokens rotate.
    auto token = read_token_file(target.bearer_token_file);
    if (!token) return make_error(token.error());
    headers.emplace_back("Authorization", "Bearer " + *token);
  } else if (!env_token.empty()) {
    headers.emplace_back("Authorization", "Bearer " + env_token);
  }
  auto response = client->request("GET", url, headers, "");
  if (!response) return make_error(response.error());
  if (response->status != 200)
    return make_error("GET " + target.url + ": HTTP status " + std::to_string(response->status));
  std::string body = std::move(response->body);
  const std::string encoding = response->header("Content-Encoding");
  if (encoding == "gzip" || encoding == "x-gzip") {
    auto inflated = common::gunzip(body, kMaxPageBytes);
    if (!inflated) return make_error("GET " + target.url + ": " + inflated.error());
    body = std::move(*inflated);
  } else if (!encoding.empty() && encoding != "identity") {
    return make_error("GET " + target.url + ": unsupported Content-Encoding " + encoding);
  }
  auto snapshot = parse_prometheus_text(body);
  if (!snapshot) return make_error("page of " + target.url + ": " + snapshot.error());
  return snapshot;
}

void Scraper::Impl::scrape_once() {
  const auto start = std::chrono::steady_clock::now();
  auto snapshot = fetch();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  duration->Set(took.count());
  if (snapshot) {
    std::size_t series = 0;
    for (const auto& family : snapshot->families) series += family.series.size();
    hub.publish(key, std::move(*snapshot));
    samples->Set(static_cast<double>(series));
    up->Set(1);
    report(true, {});
  } else {
    hub.withdraw(key);
    up->Set(0);
    failures->Increment();
    report(false, snapshot.error());
  }
}

void Scraper::Impl::report(bool ok, const std::string& error) {
  if (last_ok == ok) return;
  if (!ok) {
    spdlog::warn("otlp.scrape target '{}': scrape failed, its series are withdrawn: {}", name,
                 error);
  } else if (last_ok.has_value()) {
    spdlog::info("otlp.scrape target '{}': scrapes succeed again", name);
  }
  last_ok = ok;
}

void Scraper::Impl::run() {
  for (;;) {
    scrape_once();
    std::unique_lock lock(mutex);
    if (wake.wait_for(lock, target.interval, [this] { return stopping; })) return;
  }
}

Scraper::Scraper(config::OtlpScrapeTarget target, metrics::Hub& hub)
    : impl_(std::make_unique<Impl>(std::move(target), hub)) {}

Scraper::~Scraper() { stop(); }

Result<void> Scraper::start() {
  if (impl_->thread.joinable())
    return make_error("otlp.scrape target '" + impl_->name + "': already started");
  if (auto prepared = impl_->prepare(); !prepared) return prepared;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = false;
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
  spdlog::info("otlp.scrape target '{}': scraping {} every {} ms", impl_->name, impl_->target.url,
               impl_->target.interval.count());
  return {};
}

void Scraper::stop() {
  if (!impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
  impl_->hub.withdraw(impl_->key);
}

}  // namespace observo::beyla
