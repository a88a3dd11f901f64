#include "observo/metrics/hub.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <thread>

namespace observo::metrics {
namespace {

Family gauge_family(const std::string& name, int series, const std::string& label = "pod") {
  Family family{name, "help of " + name, MetricType::kGauge, {}};
  for (int i = 0; i < series; ++i) {
    std::string value = "p";
    value += std::to_string(i);  // (not "p" + ...: GCC 12 -Wrestrict false positive at -O3)
    family.series.push_back({{{label, std::move(value)}}, double(i), {}, {}, 0, 0});
  }
  return family;
}

const FamilyView* find(const Exposition& exposition, const std::string& name) {
  for (const auto& family : exposition.families) {
    if (family.meta->name == name) return &family;
  }
  return nullptr;
}

double dropped(const Exposition& exposition, const std::string& family) {
  const auto* view = find(exposition, "observo_dropped_series_total");
  if (view == nullptr) return 0;
  for (const auto* part : view->parts) {
    for (const auto& series : *part) {
      if (series.labels == Labels{{"family", family}}) return series.value;
    }
  }
  return 0;
}

TEST(Hub, PublishedSnapshotIsExposedAndReplacedWhole) {
  Hub hub;
  Snapshot first;
  first.families.push_back(gauge_family("pixie_pod_cpu_usage_ratio", 3));
  hub.publish("pixie/a", std::move(first));
  auto exposition = hub.collect();
  ASSERT_NE(find(exposition, "pixie_pod_cpu_usage_ratio"), nullptr);
  EXPECT_EQ(find(exposition, "pixie_pod_cpu_usage_ratio")->series_count(), 3u);

  // Publishing again replaces the whole snapshot: series no longer produced disappear.
  Snapshot second;
  second.families.push_back(gauge_family("pixie_pod_cpu_usage_ratio", 1));
  hub.publish("pixie/a", std::move(second));
  exposition = hub.collect();
  EXPECT_EQ(find(exposition, "pixie_pod_cpu_usage_ratio")->series_count(), 1u);

  hub.withdraw("pixie/a");
  EXPECT_EQ(find(hub.collect(), "pixie_pod_cpu_usage_ratio"), nullptr);
}

TEST(Hub, FamiliesOfTheSameNameFromTwoPublishersAreMergedSortedByName) {
  Hub hub;
  Snapshot a, b;
  a.families.push_back(gauge_family("z_metric", 2, "cluster"));
  a.families.push_back(gauge_family("a_metric", 1));
  b.families.push_back(gauge_family("z_metric", 3, "node"));
  hub.publish("a", std::move(a));
  hub.publish("b", std::move(b));
  const auto exposition = hub.collect();
  const auto* merged = find(exposition, "z_metric");
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->parts.size(), 2u);
  EXPECT_EQ(merged->series_count(), 5u);
  for (std::size_t i = 1; i < exposition.families.size(); ++i) {
    EXPECT_LT(exposition.families[i - 1].meta->name, exposition.families[i].meta->name);
  }
}

TEST(Hub, TypeConflictKeepsTheFirstFamily) {
  Snapshot a, b;
  a.families.push_back(gauge_family("conflict", 2));
  auto counter = gauge_family("conflict", 5);
  counter.type = MetricType::kCounter;
  b.families.push_back(std::move(counter));
  const auto exposition = make_exposition(
      {std::make_shared<Snapshot>(std::move(a)), std::make_shared<Snapshot>(std::move(b))});
  ASSERT_EQ(exposition.families.size(), 1u);
  EXPECT_EQ(exposition.families[0].meta->type, MetricType::kGauge);
  EXPECT_EQ(exposition.families[0].series_count(), 2u);
}

TEST(Hub, SeriesCapDropsAndCountsTheExcess) {
  HubOptions options;
  options.max_series_per_family = 10;
  options.series_caps["small"] = 2;
  Hub hub(options);
  Snapshot snapshot;
  snapshot.families.push_back(gauge_family("big", 25));
  snapshot.families.push_back(gauge_family("small", 5));
  snapshot.families.push_back(gauge_family("fits", 10));
  hub.publish("s", std::move(snapshot));
  const auto exposition = hub.collect();
  EXPECT_EQ(find(exposition, "big")->series_count(), 10u);
  EXPECT_EQ(find(exposition, "small")->series_count(), 2u);
  EXPECT_EQ(find(exposition, "fits")->series_count(), 10u);
  EXPECT_EQ(dropped(exposition, "big"), 15);
  EXPECT_EQ(dropped(exposition, "small"), 3);
  EXPECT_EQ(dropped(exposition, "fits"), 0);
}

TEST(Hub, SnapshotWithTtlGoesStale) {
  Hub hub;
  Snapshot snapshot;
  snapshot.families.push_back(gauge_family("short_lived", 1));
  hub.publish("s", std::move(snapshot), std::chrono::milliseconds(-1));
  EXPECT_EQ(find(hub.collect(), "short_lived"), nullptr);
  Snapshot fresh;
  fresh.families.push_back(gauge_family("short_lived", 1));
  hub.publish("s", std::move(fresh), std::chrono::hours(1));
  EXPECT_NE(find(hub.collect(), "short_lived"), nullptr);
}

class CountingCollector : public Collector {
 public:
  SnapshotPtr collect() override {
    ++calls;
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->families.push_back(gauge_family("collected", 4));
    return snapshot;
  }
  int calls = 0;
};

TEST(Hub, CollectorsRunAtEveryCollectionAndObeyCaps) {
  HubOptions options;
  options.max_series_per_family = 3;
  Hub hub(options);
  auto collector = std::make_shared<CountingCollector>();
  hub.add_collector("c", collector);
  hub.collect();
  const auto exposition = hub.collect();
  EXPECT_EQ(collector->calls, 2);
  EXPECT_EQ(find(exposition, "collected")->series_count(), 3u);
  hub.remove_collector("c");
  EXPECT_EQ(find(hub.collect(), "collected"), nullptr);
}

TEST(Hub, LiveRegistryInstrumentsAreConverted) {
  Hub hub;
  auto& counter = prometheus::BuildCounter()
                      .Name("observo_test_events_total")
                      .Help("Test events.")
                      .Register(hub.registry())
                      .Add({{"kind", "a"}});
  counter.Increment(3);
  auto& histogram = prometheus::BuildHistogram()
                        .Name("observo_test_duration_seconds")
                        .Help("Test durations.")
                        .Register(hub.registry())
                        .Add({}, prometheus::Histogram::BucketBoundaries{0.1, 1});
  histogram.Observe(0.05);
  histogram.Observe(0.5);
  histogram.Observe(5);

  const auto exposition = hub.collect();
  const auto* events = find(exposition, "observo_test_events_total");
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(events->meta->type, MetricType::kCounter);
  EXPECT_EQ((*events->parts[0])[0].value, 3);
  const auto* duration = find(exposition, "observo_test_duration_seconds");
  ASSERT_NE(duration, nullptr);
  const Series& series = (*duration->parts[0])[0];
  ASSERT_EQ(series.buckets.size(), 2u);  // the +Inf bucket is implicit
  EXPECT_EQ(series.buckets[0].cumulative_count, 1);
  EXPECT_EQ(series.buckets[1].cumulative_count, 2);
  EXPECT_EQ(series.count, 3);
  EXPECT_DOUBLE_EQ(series.sum, 5.55);
}

TEST(Hub, PublishAndCollectFromManyThreads) {
  Hub hub;
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    for (int i = 0; i < 2000; ++i) {
      Snapshot snapshot;
      snapshot.families.push_back(gauge_family("racing", 1 + i % 7));
      hub.publish("r", std::move(snapshot));
    }
    stop = true;
  });
  std::size_t collections = 0;
  do {  // at least once, however fast the publisher is
    const auto exposition = hub.collect();
    if (const auto* view = find(exposition, "racing")) {
      EXPECT_GE(view->series_count(), 1u);
      EXPECT_LE(view->series_count(), 7u);
    }
    ++collections;
  } while (!stop);
  publisher.join();
  EXPECT_GT(collections, 0u);
}

TEST(Snapshot, NameValidationFollowsPrometheus) {
  EXPECT_TRUE(is_valid_metric_name("observo_up"));
  EXPECT_TRUE(is_valid_metric_name("a:b_c9"));
  EXPECT_FALSE(is_valid_metric_name("9abc"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_FALSE(is_valid_metric_name("a-b"));
  EXPECT_TRUE(is_valid_label_name("le"));
  EXPECT_FALSE(is_valid_label_name("__name__"));
  EXPECT_FALSE(is_valid_label_name("a:b"));
}

TEST(Snapshot, MakeLabelsSortsAndKeepsFirstDuplicate) {
  const auto labels = make_labels({{"b", "1"}, {"a", "2"}, {"b", "3"}});
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0], (Label{"a", "2"}));
  EXPECT_EQ(labels[1], (Label{"b", "1"}));
}

}  // namespace
}  // namespace observo::metrics
