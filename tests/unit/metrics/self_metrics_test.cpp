#include "observo/metrics/self_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>

namespace observo::metrics {
namespace {

const Series* only_series(const Exposition& exposition, const std::string& name) {
  for (const auto& family : exposition.families) {
    if (family.meta->name == name && family.series_count() == 1) return &(*family.parts[0])[0];
  }
  return nullptr;
}

TEST(SelfMetrics, ConnectorUpBuildInfoAndSourceUp) {
  Hub hub;
  SourceBoard board;
  board.declare("pixie", true);
  board.declare("xray", false);
  register_self_metrics(hub, board, false);
  auto exposition = hub.collect();

  const auto* up = only_series(exposition, "observo_connector_up");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->value, 1);
  const auto* info = only_series(exposition, "observo_connector_build_info");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->labels.size(), 2u);
  EXPECT_EQ(info->labels[0].name, "revision");
  EXPECT_EQ(info->labels[1].name, "version");

  // Only enabled sources have an observo_source_up series; it follows the board.
  const auto* pixie_up = only_series(exposition, "observo_source_up");
  ASSERT_NE(pixie_up, nullptr);
  EXPECT_EQ(pixie_up->labels, (Labels{{"source", "pixie"}}));
  EXPECT_EQ(pixie_up->value, 0);
  board.record_success("pixie");
  exposition = hub.collect();
  EXPECT_EQ(only_series(exposition, "observo_source_up")->value, 1);
  EXPECT_EQ(only_series(exposition, "process_open_fds"), nullptr);  // process metrics off
}

TEST(SelfMetrics, ProcessMetricsDescribeThisProcess) {
  ProcessCollector collector;
  const auto exposition = make_exposition({collector.collect()});
  const auto value = [&](const std::string& name) {
    const auto* series = only_series(exposition, name);
    EXPECT_NE(series, nullptr) << name;
    return series != nullptr ? series->value : -1.0;
  };
  EXPECT_GE(value("process_cpu_seconds_total"), 0);
  EXPECT_GT(value("process_resident_memory_bytes"), 1024 * 1024);
  EXPECT_GT(value("process_virtual_memory_bytes"), value("process_resident_memory_bytes"));
  EXPECT_GE(value("process_open_fds"), 3);
  EXPECT_GT(value("process_max_fds"), value("process_open_fds"));
  const double start = value("process_start_time_seconds");
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);  // this test process started within the hour
}

TEST(SourceBoard, RecordsSuccessAndFailure) {
  SourceBoard board;
  board.declare("xray", true);
  board.record_failure("xray", "throttled");
  auto list = board.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].up);
  EXPECT_EQ(list[0].last_error, "throttled");
  EXPECT_TRUE(list[0].last_error_time.has_value());
  board.record_success("xray");
  list = board.list();
  EXPECT_TRUE(list[0].up);
  EXPECT_EQ(list[0].collections, 2u);
  EXPECT_TRUE(list[0].last_success.has_value());
}

}  // namespace
}  // namespace observo::metrics
