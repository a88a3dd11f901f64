#include "sources/netprobe/netprobe_source.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sources/netprobe/diagnosis.h"
#include "sources/netprobe/probe.h"

namespace observo::netprobe {
namespace {

constexpr const char* kName = "netprobe";
constexpr std::chrono::seconds kRetryLoad{60};
constexpr std::chrono::seconds kResyncEvery{60};

std::string rfc3339(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(ms % 1000));
}

class NetprobeSource final : public Source {
 public:
  NetprobeSource(const config::NetprobeConfig& config, metrics::Hub& hub, SourceBoard& board)
      : config_(config), hub_(hub), board_(board) {}
  ~NetprobeSource() override { stop(); }

  std::string name() const override { return kName; }

  Result<void> start() override {
    if (thread_.joinable()) return {};
    stop_fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!stop_fd_.valid()) {
      return make_error(fmt::format("netprobe: eventfd: {}", std::strerror(errno)));
    }
    publish_details("starting", nullptr);
    try {
      thread_ = std::thread([this] { run_guarded(); });
    } catch (const std::system_error& e) {
      return make_error(fmt::format("netprobe: cannot start its thread: {}", e.what()));
    }
    return {};
  }

  void stop() override {
    if (!thread_.joinable()) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(stop_fd_.get(), &one, sizeof one);
    thread_.join();
  }

 private:
  ProbeOptions probe_options() const {
    ProbeOptions options;
    options.include = config_.interfaces.include;
    options.exclude = config_.interfaces.exclude;
    options.tc = {config_.tc_handle, config_.tc_priority};
    options.by_protocol = config_.by_protocol;
    return options;
  }

  void run_guarded() {
    ::pthread_setname_np(::pthread_self(), "netprobe");
    try {
      run();
    } catch (const std::exception& e) {
      spdlog::error("netprobe: stopped by an unexpected error: {}", e.what());
      board_.record_failure(kName, e.what());
      publish_down();
    }
  }

  // Waits until `deadline`, a link event (when `events` >= 0) or stop(). False on stop().
  bool wait(Clock::time_point deadline, int events, bool* event_ready) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd fds[2] = {{stop_fd_.get(), POLLIN, 0}, {events, POLLIN, 0}};
    const int count = events >= 0 ? 2 : 1;
    const int timeout = static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    const int ready = ::poll(fds, static_cast<nfds_t>(count), timeout);
    if (ready > 0 && (fds[0].revents & POLLIN)) return false;
    // A netlink overrun shows as POLLERR (sk_err = ENOBUFS), possibly without POLLIN: reading
    // is what clears it (recv returns ENOBUFS), so it counts as an event too.
    if (event_ready) {
      *event_ready = ready > 0 && count == 2 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP));
    }
    return true;
  }

  void run() {
    Probe probe(probe_options());
    if (!load_with_retry(probe)) {
      hub_.withdraw(kName);
      publish_details("stopped", nullptr);
      return;
    }
    const auto* programs = probe.programs();
    spdlog::info(
        "netprobe: TC programs loaded (ids {} ingress, {} egress; handle 0x{:x}, "
        "priority {}; protocol breakdown {})",
        programs->ingress().id, programs->egress().id, config_.tc_handle, config_.tc_priority,
        config_.by_protocol ? "on" : "off");
    if (auto watching = probe.watch(); !watching) {
      spdlog::warn(
          "netprobe: cannot follow link events ({}); interfaces are re-listed every "
          "collection instead",
          watching.error().message());
    }
    probe.resync();
    collect_and_publish(probe);

    const auto interval = std::chrono::duration_cast<Clock::duration>(config_.collect_interval);
    auto next_collect = Clock::now() + interval;
    auto next_resync = Clock::now() + kResyncEvery;
    for (;;) {
      bool event_ready = false;
      if (!wait(next_collect, probe.event_fd(), &event_ready)) break;
      if (event_ready) probe.handle_events();
      const auto now = Clock::now();
      if (now >= next_resync || (probe.event_fd() < 0 && now >= next_collect)) {
        probe.resync();
        next_resync = now + kResyncEvery;
      }
      if (now >= next_collect) {
        collect_and_publish(probe);
        next_collect += interval;
        if (next_collect <= now) next_collect = now + interval;  // fell behind: skip, not burst
      }
    }
    probe.detach_all();
    hub_.withdraw(kName);
    board_.set_up(kName, false);
    publish_details("stopped", &probe);
    spdlog::info("netprobe: detached from every interface");
  }

  // Loads the programs; on failure logs the cause and remedy once, reports netprobe down and
  // retries every kRetryLoad. False when stop() came first.
  bool load_with_retry(Probe& probe) {
    std::string logged_cause;
    for (;;) {
      auto loaded = probe.load();
      if (loaded) {
        if (!logged_cause.empty()) spdlog::info("netprobe: the eBPF programs load now");
        return true;
      }
      const auto diagnosis = diagnose(loaded.error(), probe_host(), first_libbpf_warning());
      if (diagnosis.cause != logged_cause) {
        spdlog::error(
            "netprobe disabled: {}. Remedy: {}. observo keeps serving the other "
            "metrics with netprobe_up 0 and retries every {}s.",
            diagnosis.cause, diagnosis.remedy, kRetryLoad.count());
        logged_cause = diagnosis.cause;
      }
      board_.record_failure(kName, diagnosis.cause);
      publish_down();
      publish_details("degraded", nullptr, diagnosis.cause);
      bool unused = false;
      if (!wait(Clock::now() + kRetryLoad, -1, &unused)) return false;
    }
  }

  void collect_and_publish(Probe& probe) {
    auto samples = probe.collect();
    auto stats = probe.stats();
    stats.up = samples.has_value() && !probe.permission_denied();
    const SnapshotOptions options{config_.active_only, config_.by_protocol};
    hub_.publish(
        kName, build_snapshot(samples ? *samples : std::vector<InterfaceSample>{}, stats, options));
    if (stats.up) {
      board_.record_success(kName);
    } else {
      board_.record_failure(kName, samples ? "attaching is not permitted (see the log)"
                                           : "cannot read the counters map (see the log)");
    }
    publish_details(stats.up ? "running" : "degraded", &probe);
  }

  void publish_down() {
    ProbeStats stats;
    hub_.publish(kName, build_snapshot({}, stats, {config_.active_only, config_.by_protocol}));
  }

  // The /health entry of the earlier NetProbe exporter: running, collections, last_collection,
  // interfaces; plus state and, when degraded, the cause.
  void publish_details(const std::string& state, const Probe* probe,
                       const std::string& cause = "") {
    nlohmann::json details = {
        {"running", state == "running"},
        {"state", state},
        {"collections", probe ? probe->stats().collections : 0},
        {"last_collection", nullptr},
        {"attached_interfaces", probe ? probe->stats().attached_interfaces : 0},
        {"interfaces", probe ? probe->attached_names() : std::vector<std::string>{}},
    };
    if (probe && probe->stats().last_collection) {
      details["last_collection"] = rfc3339(*probe->stats().last_collection);
    }
    if (!cause.empty()) details["degraded_reason"] = cause;
    // Interface names are bytes, not necessarily UTF-8: replace what is not, never throw.
    board_.set_details(kName,
                       details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  const config::NetprobeConfig config_;
  metrics::Hub& hub_;
  SourceBoard& board_;
  UniqueFd stop_fd_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Source> make_netprobe_source(const config::NetprobeConfig& config,
                                             metrics::Hub& hub, SourceBoard& board) {
  return std::make_unique<NetprobeSource>(config, hub, board);
}

}  // namespace observo::netprobe
