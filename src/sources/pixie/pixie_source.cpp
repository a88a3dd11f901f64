#include "sources/pixie/pixie_source.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "observo/metrics/certificate_expiry.h"
#include "observo/metrics/self_metrics.h"
#include "sources/pixie/config_check.h"

namespace observo::pixie {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t to_ns(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// A window never reaches further back than this many intervals (after a long outage).
constexpr std::int64_t kMaxWindowIntervals = 10;

}  // namespace

PixieSource::PixieSource(config::PixieConfig config, metrics::Hub& hub, SourceBoard& board)
    : config_(std::move(config)), hub_(hub), board_(board) {}

PixieSource::~PixieSource() { stop(); }

Result<void> PixieSource::start() {
  auto scripts = load_configured_scripts(config_);  // what `observo config check` checks too
  if (!scripts) return make_error(scripts.error());
  scripts_ = std::move(*scripts);

  metrics::Snapshot certificates;
  certificates.families.push_back(
      {std::string(metrics::kCertificateExpiryFamily),
       std::string(metrics::kCertificateExpiryHelp),
       metrics::MetricType::kGauge,
       {}});
  for (std::size_t i = 0; i < config_.clusters.size(); ++i) {
    auto connection = connect(config_.clusters[i], i);
    if (!connection) return make_error(connection.error());
    for (const auto& warning : connection->warnings) spdlog::warn("pixie: {}", warning);
    for (const auto& cert : connection->certificates) {
      certificates.families.front().series.push_back(
          {metrics::make_labels(
               {{"source", "pixie"}, {"cert", config_.clusters[i].id + "/" + cert.cert}}),
           static_cast<double>(cert.not_after_unix),
           {},
           {},
           0,
           0});
    }
    auto cluster = std::make_unique<Cluster>();
    cluster->config = config_.clusters[i];
    cluster->client = std::make_unique<VizierClient>(std::move(*connection));
    clusters_.push_back(std::move(cluster));
  }
  hub_.publish("pixie/certificates", std::move(certificates));
  publish_up();
  for (auto& cluster : clusters_) {
    cluster->thread = std::thread([this, c = cluster.get()] { loop(*c); });
  }
  spdlog::info("pixie: running {} script(s) on {} cluster(s)", config_.scripts.size(),
               clusters_.size());
  return {};
}

void PixieSource::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& cluster : clusters_) cluster->client->cancel_all();  // a query may run 30 s
  for (auto& cluster : clusters_) {
    if (cluster->thread.joinable()) cluster->thread.join();
  }
}

void PixieSource::loop(Cluster& cluster) {
  for (;;) {
    run_once(cluster);
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, cluster.config.interval, [this] { return stopping_; })) return;
  }
}

void PixieSource::run_once(Cluster& cluster) {
  bool all_ok = true;
  for (const auto& name : config_.scripts) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    all_ok = run_script(cluster, *find_script(scripts_, name)) && all_ok;
  }
  {
    std::lock_guard lock(mutex_);
    cluster.up = all_ok;
  }
  if (all_ok) {
    board_.record_success("pixie");
  }
  publish_up();
}

bool PixieSource::run_script(Cluster& cluster, const Script& script) {
  const auto& id = cluster.config.id;
  std::map<std::string, std::string> params;
  const std::int64_t end = now_ns();
  const std::int64_t interval = to_ns(cluster.config.interval);
  if (script.windowed) {
    const auto last = cluster.last_end_ns.find(script.name);
    std::int64_t start = last == cluster.last_end_ns.end() ? end - interval : last->second;
    start = std::max(start, end - kMaxWindowIntervals * interval);
    params = {{"start_time", std::to_string(start)}, {"end_time", std::to_string(end)}};
  }
  auto pxl = render(script, params);
  auto& registry = hub_.registry();
  auto& queries = metrics::queries_total(hub_);
  const auto fail = [&](const std::string& message) {
    queries.Add({{"cluster_id", id}, {"script", script.name}, {"status", "error"}}).Increment();
    auto& last = cluster.last_error[script.name];
    if (last != message) spdlog::warn("pixie: cluster {} script {}: {}", id, script.name, message);
    last = message;
    board_.record_failure("pixie", "cluster " + id + " script " + script.name + ": " + message);
    return false;
  };
  if (!pxl) return fail(pxl.error());

  TableCollector collector;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = cluster.client->execute(
      {*pxl, "observo_" + script.name, cluster.config.query_timeout}, collector);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  prometheus::BuildHistogram()
      .Name("observo_pixie_query_duration_seconds")
      .Help("Duration of the scheduled Pixie queries.")
      .Register(registry)
      .Add({{"cluster_id", id}, {"script", script.name}},
           prometheus::Histogram::BucketBoundaries{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})
      .Observe(seconds);
  prometheus::BuildCounter()
      .Name("observo_pixie_rows_received_total")
      .Help("Rows received from Vizier by the scheduled Pixie queries.")
      .Register(registry)
      .Add({{"cluster_id", id}, {"script", script.name}})
      .Increment(static_cast<double>(outcome.stats.rows_received));
  if (!outcome.ok()) return fail(outcome.failure.message);

  auto snapshot = cluster.counters[script.name].apply(map_tables(script, collector.tables(), id));
  const auto ttl = cluster.config.interval * 3 + cluster.config.query_timeout;
  hub_.publish("pixie/" + id + "/" + script.name, std::move(snapshot),
               std::chrono::duration_cast<metrics::Hub::Clock::duration>(ttl));
  cluster.last_end_ns[script.name] = end;
  queries.Add({{"cluster_id", id}, {"script", script.name}, {"status", "success"}}).Increment();
  if (!cluster.last_error[script.name].empty()) {
    spdlog::info("pixie: cluster {} script {} succeeds again", id, script.name);
    cluster.last_error[script.name].clear();
  }
  return true;
}

void PixieSource::publish_up() {
  metrics::Snapshot snapshot;
  snapshot.families.push_back({"observo_source_up",
                               "1 when the source's last collection succeeded, else 0.",
                               metrics::MetricType::kGauge,
                               {}});
  bool any_up = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& cluster : clusters_) {
      any_up = any_up || cluster->up;
      snapshot.families.front().series.push_back(
          {metrics::make_labels({{"source", "pixie"}, {"cluster_id", cluster->config.id}}),
           cluster->up ? 1.0 : 0.0,
           {},
           {},
           0,
           0});
    }
  }
  board_.set_up("pixie", any_up);
  hub_.publish("pixie/up", std::move(snapshot));
}

}  // namespace observo::pixie
