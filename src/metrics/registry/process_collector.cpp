// Process metrics from /proc/self, as the Prometheus client libraries export them.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "observo/metrics/self_metrics.h"

namespace observo::metrics {
namespace {

struct ProcStat {
  double utime_ticks = 0;
  double stime_ticks = 0;
  double start_ticks = 0;
  double vsize_bytes = 0;
  double rss_pages = 0;
};

std::optional<ProcStat> read_proc_stat() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces and parentheses: fields resume after the
  // last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  fields.imbue(std::locale::classic());
  std::vector<std::string> f;
  for (std::string field; fields >> field;) f.push_back(field);
  // f[0] is field 3 (state); utime = field 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() < 22) return std::nullopt;
  ProcStat stat;
  stat.utime_ticks = std::stod(f[11]);
  stat.stime_ticks = std::stod(f[12]);
  stat.start_ticks = std::stod(f[19]);
  stat.vsize_bytes = std::stod(f[20]);
  stat.rss_pages = std::stod(f[21]);
  return stat;
}

std::optional<double> read_boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

std::optional<double> count_open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

void add_gauge(Snapshot& snapshot, const char* name, const char* help, MetricType type,
               double value) {
  Family family{name, help, type, {}};
  family.series.push_back({{}, value, {}, {}, 0, 0});
  snapshot.families.push_back(std::move(family));
}

}  // namespace

SnapshotPtr ProcessCollector::collect() {
  auto snapshot = std::make_shared<Snapshot>();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (const auto stat = read_proc_stat()) {
    add_gauge(*snapshot, "process_cpu_seconds_total",
              "Total user and system CPU time spent in seconds.", MetricType::kCounter,
              (stat->utime_ticks + stat->stime_ticks) / ticks);
    add_gauge(*snapshot, "process_resident_memory_bytes", "Resident memory size in bytes.",
              MetricType::kGauge, stat->rss_pages * page);
    add_gauge(*snapshot, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
              MetricType::kGauge, stat->vsize_bytes);
    if (const auto boot = read_boot_time()) {
      add_gauge(*snapshot, "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.", MetricType::kGauge,
                *boot + stat->start_ticks / ticks);
    }
  }
  if (const auto fds = count_open_fds()) {
    add_gauge(*snapshot, "process_open_fds", "Number of open file descriptors.",
              MetricType::kGauge, *fds);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    add_gauge(*snapshot, "process_max_fds", "Maximum number of open file descriptors.",
              MetricType::kGauge,
              limit.rlim_cur == RLIM_INFINITY ? -1.0 : static_cast<double>(limit.rlim_cur));
  }
  return snapshot;
}

}  // namespace observo::metrics
