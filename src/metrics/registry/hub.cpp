#include "observo/metrics/hub.h"

#include <algorithm>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "metrics/registry/registry_collector.h"

namespace observo::metrics {

Hub::Hub(HubOptions options)
    : options_(std::move(options)), registry_(std::make_unique<prometheus::Registry>()) {
  dropped_series_ = &prometheus::BuildCounter()
                         .Name("observo_dropped_series_total")
                         .Help("Series dropped because their family reached its series cap.")
                         .Register(*registry_);
  registry_collector_ = std::make_shared<RegistryCollector>(*registry_);
}

Hub::~Hub() = default;

prometheus::Registry& Hub::registry() { return *registry_; }

std::size_t Hub::cap_for(const std::string& family) const {
  auto it = options_.series_caps.find(family);
  return it != options_.series_caps.end() ? it->second : options_.max_series_per_family;
}

SnapshotPtr Hub::apply_caps(Snapshot snapshot) const {
  for (auto& family : snapshot.families) {
    const std::size_t cap = cap_for(family.name);
    if (family.series.size() <= cap) continue;
    const auto excess = static_cast<double>(family.series.size() - cap);
    family.series.resize(cap);
    dropped_series_->Add({{"family", family.name}}).Increment(excess);
  }
  return std::make_shared<const Snapshot>(std::move(snapshot));
}

void Hub::publish(const std::string& key, Snapshot snapshot,
                  std::optional<Clock::duration> ttl) {
  Published entry{apply_caps(std::move(snapshot)), std::nullopt};
  if (ttl) entry.expires_at = Clock::now() + *ttl;
  std::lock_guard lock(mutex_);
  published_[key] = std::move(entry);
}

void Hub::withdraw(const std::string& key) {
  std::lock_guard lock(mutex_);
  published_.erase(key);
}

void Hub::add_collector(const std::string& key, std::shared_ptr<Collector> collector) {
  std::lock_guard lock(mutex_);
  collectors_[key] = std::move(collector);
}

void Hub::remove_collector(const std::string& key) {
  std::lock_guard lock(mutex_);
  collectors_.erase(key);
}

Exposition Hub::collect() const {
  std::vector<SnapshotPtr> snapshots;
  std::vector<std::shared_ptr<Collector>> collectors;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    for (auto it = published_.begin(); it != published_.end();) {
      if (it->second.expires_at && *it->second.expires_at < now) {
        it = published_.erase(it);  // stale: its source stopped publishing
        continue;
      }
      snapshots.push_back(it->second.snapshot);
      ++it;
    }
    for (const auto& [key, collector] : collectors_) collectors.push_back(collector);
  }
  // Collectors run outside the lock: they may be slow (kernel map reads) and must not block
  // publishers.
  for (const auto& collector : collectors) {
    auto snapshot = collector->collect();
    if (!snapshot) continue;
    // Copy only when a family is over its cap; the common case passes the pointer through.
    const bool over_cap = std::any_of(
        snapshot->families.begin(), snapshot->families.end(),
        [&](const Family& family) { return family.series.size() > cap_for(family.name); });
    snapshots.push_back(over_cap ? apply_caps(Snapshot(*snapshot)) : std::move(snapshot));
  }
  // The live registry last, so observo_dropped_series_total includes this collection's drops.
  snapshots.push_back(registry_collector_->collect());
  return make_exposition(std::move(snapshots));
}

}  // namespace observo::metrics
