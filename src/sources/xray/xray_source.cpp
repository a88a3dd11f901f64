#include "sources/xray/xray_source.h"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <cmath>
#include <ctime>

#include "sources/xray/segment.h"
#include "sources/xray/state.h"

namespace observo::xray {
namespace {

constexpr auto kPublishInterval = std::chrono::milliseconds(500);
constexpr const char* kHubKey = "xray";

std::uint32_t unix_now() { return static_cast<std::uint32_t>(std::time(nullptr)); }

metrics::Family single(metrics::MetricType type, std::string name, std::string help, double value,
                       metrics::Labels labels = {}) {
  metrics::Family family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  metrics::Series series;
  series.labels = std::move(labels);
  series.value = value;
  family.series.push_back(std::move(series));
  return family;
}

}  // namespace

XraySource::XraySource(const config::XrayConfig& config, metrics::Hub& hub, SourceBoard& board)
    : config_(config),
      hub_(hub),
      board_(board),
      aggregator_(AggregatorOptions{config.max_urls, config.max_client_ips, config.url_templating}),
      ids_(config.max_trace_ids),
      trace_ids_(config.max_trace_ids),
      socket_(io_),
      window_timer_(io_),
      publish_timer_(io_) {}

XraySource::~XraySource() { stop(); }

Result<void> XraySource::start() {
  if (started_) return {};
  const auto report =
      load_state(config_.data_dir, aggregator_, ids_, !config_.force_full_collection);
  for (const auto& warning : report.warnings) spdlog::warn("{}", warning);
  if (report.counters_loaded) spdlog::info("xray: counters restored from {}", config_.data_dir);
  if (config_.clean_trace_ids) {
    const auto cutoff = unix_now() - static_cast<std::uint32_t>(config_.cleanup_age_hours) * 3600U;
    spdlog::info("xray: dropped {} processed IDs older than {} h", ids_.evict_older_than(cutoff),
                 config_.cleanup_age_hours);
  }

  if (config_.udp.enabled) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(config_.udp.listen_address, ec);
    if (ec)
      return make_error("xray.udp.listen_address: " + config_.udp.listen_address + ": " +
                        ec.message());
    const boost::asio::ip::udp::endpoint endpoint(address, config_.udp.port);
    socket_.open(endpoint.protocol(), ec);
    if (!ec) socket_.bind(endpoint, ec);
    if (ec) {
      return make_error("xray: cannot listen on UDP " + config_.udp.listen_address + ":" +
                        std::to_string(config_.udp.port) + ": " + ec.message());
    }
    udp_port_ = socket_.local_endpoint().port();
    spdlog::info("xray: UDP listener (X-Ray daemon protocol) on {}:{}", config_.udp.listen_address,
                 udp_port_);
    receive();
  }
  if (config_.api.enabled) {
    if (auto poller = start_poller(); !poller) return poller;
  }
  board_.set_up("xray", !config_.api.enabled);
  if (!config_.api.enabled) board_.record_success("xray");
  publish();
  schedule_window();
  schedule_publish();
  started_ = true;
  thread_ = std::thread([this] { io_.run(); });
  return {};
}

void XraySource::stop() {
  if (!started_) return;
  started_ = false;
  boost::asio::post(io_, [this] {
    boost::system::error_code ec;
    socket_.close(ec);
    window_timer_.cancel();
    publish_timer_.cancel();
  });
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poll_thread_.joinable()) poll_thread_.join();
  std::lock_guard lock(mutex_);
  if (auto saved = save_state(config_.data_dir, aggregator_, ids_); !saved) {
    spdlog::warn("xray: cannot save the state at shutdown: {}", saved.error());
  }
  if (config_.api.enabled) {
    if (auto saved = save_poller_state(config_.data_dir, trace_ids_, last_api_end_); !saved) {
      spdlog::warn("xray: cannot save the poller state at shutdown: {}", saved.error());
    }
  }
  hub_.withdraw(kHubKey);
}

void XraySource::receive() {
  socket_.async_receive_from(
      boost::asio::buffer(buffer_), sender_,
      [this](const boost::system::error_code& ec, std::size_t size) {
        if (ec == boost::asio::error::operation_aborted || !socket_.is_open()) return;
        if (!ec) handle_datagram(std::string_view(buffer_.data(), size));
        receive();
      });
}

void XraySource::handle_datagram(std::string_view datagram) {
  std::lock_guard lock(mutex_);
  datagrams_ += 1;
  dirty_ = true;
  const auto body = split_datagram(datagram);
  if (!body) {
    invalid_header_ += 1;
    return;
  }
  const auto segment = parse_segment(*body);
  if (!segment) {
    invalid_segment_ += 1;
    return;
  }
  if (!segment->in_progress) {
    const auto key = segment_key(segment->trace_id, segment->id);
    if (!key) {
      invalid_segment_ += 1;
      return;
    }
    if (!config_.force_full_collection && !ids_.insert(*key, unix_now())) {
      aggregator_.self().duplicates_skipped += 1;
      return;
    }
  }
  aggregator_.add(*segment);
}

void XraySource::schedule_window() {
  window_timer_.expires_after(config_.time_window);
  window_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    close_window();
    schedule_window();
  });
}

void XraySource::schedule_publish() {
  publish_timer_.expires_after(kPublishInterval);
  publish_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (dirty_) publish();
    schedule_publish();
  });
}

void XraySource::close_window() {
  std::unique_lock lock(mutex_);
  aggregator_.close_window();
  last_window_end_ = static_cast<double>(std::time(nullptr));
  const auto cutoff = unix_now() - static_cast<std::uint32_t>(config_.retention_days) * 86400U;
  ids_.evict_older_than(cutoff);
  if (auto saved = save_state(config_.data_dir, aggregator_, ids_); !saved) {
    save_errors_ += 1;
    if (!save_failing_) spdlog::warn("xray: cannot save the state: {}", saved.error());
    save_failing_ = true;
  } else {
    save_failing_ = false;
  }
  if (!config_.api.enabled) board_.record_success("xray");
  lock.unlock();
  publish();
}

void XraySource::publish() {
  std::lock_guard lock(mutex_);
  dirty_ = false;
  auto snapshot = aggregator_.snapshot();
  auto& out = snapshot.families;
  out.push_back(single(metrics::MetricType::kCounter, "observo_xray_udp_datagrams_total",
                       "Datagrams received by the X-Ray daemon protocol listener.", datagrams_));
  auto invalid = single(metrics::MetricType::kCounter, "observo_xray_udp_invalid_total",
                        "Datagrams dropped: bad header line or unparsable segment.",
                        invalid_header_, {{"reason", "header"}});
  metrics::Series segment_series;
  segment_series.labels = {{"reason", "segment"}};
  segment_series.value = invalid_segment_;
  invalid.series.push_back(std::move(segment_series));
  out.push_back(std::move(invalid));
  out.push_back(single(metrics::MetricType::kCounter, "observo_xray_state_save_errors_total",
                       "Failed saves of the X-Ray state (the previous state stays intact).",
                       save_errors_));
  out.push_back(single(metrics::MetricType::kGauge, "observo_xray_stored_ids",
                       "Processed trace/segment IDs kept for deduplication.",
                       static_cast<double>(ids_.size())));
  out.push_back(single(metrics::MetricType::kGauge,
                       "observo_xray_last_window_end_timestamp_seconds",
                       "Unix time the last window closed (0 before the first).", last_window_end_));
  if (config_.api.enabled) {
    metrics::Family requests;
    requests.name = "observo_xray_api_requests_total";
    requests.help =
        "X-Ray API requests by operation and outcome (success, throttled, "
        "server_error, client_error, transport_error).";
    requests.type = metrics::MetricType::kCounter;
    for (const auto& [key, n] : api_stats_.requests()) {
      metrics::Series series;
      series.labels = metrics::make_labels({{"operation", key.first}, {"outcome", key.second}});
      series.value = n;
      requests.series.push_back(std::move(series));
    }
    out.push_back(std::move(requests));
    metrics::Family latency;
    latency.name = "observo_xray_api_request_duration_seconds";
    latency.help = "Time spent in X-Ray API requests by operation (summary: sum and count).";
    latency.type = metrics::MetricType::kSummary;
    for (const auto& [operation, sum_count] : api_stats_.latency()) {
      metrics::Series series;
      series.labels = {{"operation", operation}};
      series.sum = sum_count.first;
      series.count = sum_count.second;
      latency.series.push_back(std::move(series));
    }
    out.push_back(std::move(latency));
    using enum metrics::MetricType;
    out.push_back(single(kCounter, "observo_xray_api_windows_total", "Poll windows completed.",
                         windows_polled_));
    out.push_back(single(kCounter, "observo_xray_api_window_failures_total",
                         "Poll windows that failed or stayed incomplete (polled again).",
                         windows_failed_));
    out.push_back(single(kCounter, "observo_xray_api_trace_summaries_total",
                         "Trace summaries listed by GetTraceSummaries.", summaries_));
    out.push_back(single(kCounter, "observo_xray_api_partial_traces_skipped_total",
                         "Summaries skipped because the trace was still in progress (IsPartial).",
                         partial_skipped_));
    out.push_back(single(kCounter, "observo_xray_api_traces_over_limit_total",
                         "New traces not fetched because of xray.api.max_traces.", over_limit_));
    out.push_back(single(kGauge, "observo_xray_api_stored_trace_ids",
                         "Processed trace IDs kept by the poller.",
                         static_cast<double>(trace_ids_.size())));
    out.push_back(single(kGauge, "observo_xray_api_last_window_end_timestamp_seconds",
                         "End (unix time) of the last completely processed poll window.",
                         last_api_end_));
  }
  hub_.publish(kHubKey, std::move(snapshot));
}

Result<void> XraySource::start_poller() {
  const auto env = process_environment();
  std::string region = config_.region;
  for (const char* variable : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (region.empty()) region = env(variable).value_or("");
  }
  if (region.empty()) region = profile_region(env, config_.profile);
  if (region.empty()) {
    return make_error(
        "xray.api: no AWS region (--region, xray.region, AWS_REGION, "
        "AWS_DEFAULT_REGION or the profile's region)");
  }
  const std::string endpoint = config_.api.endpoint.empty()
                                   ? "https://xray." + region + ".amazonaws.com"
                                   : config_.api.endpoint;
  auto url = parse_url(endpoint);
  if (!url) return make_error("xray.api.endpoint: " + url.error());
  CredentialOptions credential_options;
  credential_options.profile = config_.profile;
  credential_options.region = region;
  credential_options.sts_endpoint = config_.sts_endpoint;
  credential_options.imds_enabled = config_.imds_enabled;
  credential_options.imds_endpoint = config_.imds_endpoint;
  credential_options.ca_file = config_.api.ca_file;
  credentials_ = std::make_unique<CredentialsProvider>(credential_options);
  PollerOptions options;
  options.api.endpoint = *url;
  options.api.region = region;
  options.api.retry_attempts = config_.api.retry_attempts;
  options.api.retry_base_delay = config_.api.retry_base_delay;
  options.api.http.ca_file = config_.api.ca_file;
  options.api.http.request_timeout = config_.api.request_timeout;
  options.api.http.connect_timeout = config_.api.request_timeout / 3;
  options.max_traces = config_.api.max_traces;
  options.parallel_workers = config_.api.parallel_workers;
  options.batch_size = config_.api.batch_size;
  options.filter_expression = config_.api.filter_expression;
  options.sampling = config_.api.sampling;
  poller_ = std::make_unique<Poller>(options, *credentials_, api_stats_);

  const auto report = load_poller_state(config_.data_dir, trace_ids_, last_api_end_,
                                        !config_.force_full_collection);
  for (const auto& warning : report.warnings) spdlog::warn("{}", warning);
  if (config_.clean_trace_ids) {
    const auto cutoff = unix_now() - static_cast<std::uint32_t>(config_.cleanup_age_hours) * 3600U;
    trace_ids_.evict_older_than(cutoff);
  }
  spdlog::info("xray: polling {} (region {}) every {} ms", endpoint, region,
               config_.time_window.count());
  poll_thread_ = std::thread([this] { poll_loop(); });
  return {};
}

void XraySource::poll_loop() {
  for (;;) {
    poll_once();
    std::unique_lock lock(stop_mutex_);
    if (stop_cv_.wait_for(lock, config_.time_window, [this] { return stopping_; })) return;
  }
}

void XraySource::poll_once() {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double end = std::floor(now - std::chrono::duration<double>(config_.api.delay).count());
  double start = 0;
  {
    std::lock_guard lock(mutex_);
    // Before the first complete window, a failed one is asked for again from the same start.
    if (first_start_ == 0) {
      first_start_ = end - std::chrono::duration<double>(config_.time_window).count();
    }
    start = last_api_end_ > 0 ? last_api_end_ : first_start_;
  }
  if (end <= start) return;
  // Only the poller's thread touches trace_ids_ besides publish(), which reads its size under
  // the mutex; the lookups below take the mutex too.
  auto result = poller_->poll(start, end, [this](const std::string& id) {
    const auto key = parse_trace_id(id);
    std::lock_guard lock(mutex_);
    return key && trace_ids_.contains(*key);
  });
  std::lock_guard lock(mutex_);
  dirty_ = true;
  if (!result) {
    windows_failed_ += 1;
    board_.record_failure("xray", result.error());
    board_.set_up("xray", false);
    spdlog::warn("xray: poll of [{:.0f}, {:.0f}] failed: {}", start, end, result.error());
    return;
  }
  summaries_ += static_cast<double>(result->summaries);
  partial_skipped_ += static_cast<double>(result->partial_skipped);
  over_limit_ += static_cast<double>(result->over_limit);
  aggregator_.self().duplicates_skipped += static_cast<double>(result->duplicates_skipped);
  aggregator_.self().invalid_segments += static_cast<double>(result->invalid_documents);
  const auto seen_at = unix_now();
  for (std::size_t i = 0; i < result->traces.size(); ++i) {
    const auto key = parse_trace_id(result->processed_ids[i]);
    if (key && !trace_ids_.insert(*key, seen_at)) {
      aggregator_.self().duplicates_skipped += 1;  // fetched twice within one window
      continue;
    }
    aggregator_.add_trace(std::move(result->traces[i]));
  }
  if (!result->incomplete.empty()) {
    windows_failed_ += 1;
    board_.record_failure("xray", result->incomplete);
    board_.set_up("xray", false);
    spdlog::warn("xray: poll of [{:.0f}, {:.0f}] incomplete, will repeat: {}", start, end,
                 result->incomplete);
  } else {
    last_api_end_ = end;
    windows_polled_ += 1;
    board_.record_success("xray");
    board_.set_up("xray", true);
  }
  // Processed IDs and the window end first, then the counters: a crash in between loses the
  // counts of this window (never counts anything twice).
  if (auto saved = save_poller_state(config_.data_dir, trace_ids_, last_api_end_); !saved) {
    save_errors_ += 1;
  } else if (auto counters_saved = save_state(config_.data_dir, aggregator_, ids_);
             !counters_saved) {
    save_errors_ += 1;
  }
}

}  // namespace observo::xray
