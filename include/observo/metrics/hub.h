// The Hub: the one place every source hands its metrics to, and the one place the HTTP layer
// reads them from.
//
// Two kinds of input fit it:
//  - published snapshots: a source builds an immutable Snapshot and publishes it under a key
//    (for example "pixie/cluster-a/http_overview"). Publishing again replaces the whole
//    snapshot, so series the source stopped producing disappear. An optional time to live makes
//    a snapshot go stale when its source stops publishing.
//  - collectors: computed at scrape time (process metrics, the prometheus-cpp registry of live
//    instruments, kernel map reads).
// Every family has a series cap; series beyond it are dropped and counted in
// observo_dropped_series_total{family}.
//
// Thread safety: every member function may be called from any thread. publish() and collect()
// hold a mutex only long enough to swap or copy shared pointers.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "observo/metrics/snapshot.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace observo::metrics {

// Computes a snapshot on demand, at every collection. Must be thread-safe.
class Collector {
 public:
  virtual ~Collector() = default;
  virtual SnapshotPtr collect() = 0;
};

// One family as an encoder sees it: the metadata of its first publisher and the series of
// every publisher that has a family of that name and type.
struct FamilyView {
  const Family* meta = nullptr;
  std::vector<const std::vector<Series>*> parts;
  std::size_t series_count() const;
};

// What one collection saw. Holds the snapshots alive while an encoder reads them.
struct Exposition {
  std::vector<SnapshotPtr> keep_alive;
  std::vector<FamilyView> families;  // sorted by name
  std::size_t series_count() const;
};

// Builds an Exposition over snapshots already in hand (the Hub does this at every collection;
// tests and benchmarks use it directly).
Exposition make_exposition(std::vector<SnapshotPtr> snapshots);

struct HubOptions {
  std::size_t max_series_per_family = 10000;
  std::map<std::string, std::size_t> series_caps;  // per-family overrides
};

class Hub {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Hub(HubOptions options = {});
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Live instruments (counters, gauges, histograms) of the daemon itself.
  prometheus::Registry& registry();

  // Replaces the snapshot under `key`. Families over their cap are truncated here, once per
  // publication, and the excess counted. With a ttl, the snapshot is ignored once it is older.
  void publish(const std::string& key, Snapshot snapshot,
               std::optional<Clock::duration> ttl = std::nullopt);
  void withdraw(const std::string& key);

  void add_collector(const std::string& key, std::shared_ptr<Collector> collector);
  void remove_collector(const std::string& key);

  // Everything currently exposed: live registry, collectors, fresh snapshots.
  Exposition collect() const;

  std::size_t cap_for(const std::string& family) const;

 private:
  struct Published {
    SnapshotPtr snapshot;
    std::optional<Clock::time_point> expires_at;
  };
  SnapshotPtr apply_caps(Snapshot snapshot) const;

  HubOptions options_;
  std::unique_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* dropped_series_ = nullptr;
  std::shared_ptr<Collector> registry_collector_;

  mutable std::mutex mutex_;
  mutable std::map<std::string, Published> published_;
  std::map<std::string, std::shared_ptr<Collector>> collectors_;
};

}  // namespace observo::metrics
