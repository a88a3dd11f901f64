// The netprobe engine: loaded programs, the interfaces attached to, link tracking and the
// collection pass. Single-threaded by design: the source runs it on its own thread, and tests
// and benchmarks drive it directly.
//
// Interface lifecycle, keyed by ifindex (names change, indexes do not):
//   RTM_NEWLINK, unknown ifindex, name matches  -> create its zeroed map keys, attach both hooks
//   RTM_NEWLINK, known ifindex, new name        -> follow the rename (detach if it stops matching)
//   RTM_DELLINK                                 -> forget: the kernel already dropped its qdisc and
//                                                  filters; delete its map keys, so its series go
//   netlink overrun (ENOBUFS), and every minute -> re-dump the links and reconcile; re-attach
//                                                  where observo's filter has been removed
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sources/netprobe/bpf_programs.h"
#include "sources/netprobe/counters.h"
#include "sources/netprobe/interface_filter.h"
#include "sources/netprobe/probe_metrics.h"
#include "sources/netprobe/rtnetlink.h"
#include "sources/netprobe/tc_attach.h"

namespace observo::netprobe {

struct ProbeOptions {
  std::vector<std::string> include = {"*"};
  std::vector<std::string> exclude = {"lo"};
  TcSettings tc;
  bool by_protocol = false;
  // How long a failed attach is left alone before a link event may retry it.
  std::chrono::milliseconds attach_retry{std::chrono::seconds(60)};
  // Receive buffer of the link event socket; tests shrink it to provoke an overrun.
  int event_buffer_bytes = 1024 * 1024;
};

AttachErrorReason classify_attach_error(const SysError& error);

class Probe {
 public:
  explicit Probe(ProbeOptions options);
  ~Probe();  // detaches from every interface, then unloads the programs
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // Loads the TC programs (keeps them on success). Errors are for diagnose().
  SysStatus load();
  bool loaded() const { return programs_ != nullptr; }
  const BpfPrograms* programs() const { return programs_.get(); }

  // Subscribes to link events; event_fd() becomes pollable.
  SysStatus watch();
  int event_fd() const { return events_ ? events_->fd() : -1; }
  // Handles every queued link event; resynchronises after an overrun. A socket that fails
  // otherwise is closed (event_fd() becomes -1): the caller then re-lists links periodically.
  void handle_events();
  // Overruns seen on the event socket.
  std::uint64_t overruns() const { return overruns_; }
  // Applies one link event (also what a dump entry amounts to).
  void apply(const LinkEvent& event);
  // Re-dumps the links and reconciles the attached set with them.
  void resync();

  // One collection pass: reads the map, sums per-CPU values, computes rates. nullopt when the
  // map cannot be read (counted in stats().collection_errors).
  std::optional<std::vector<InterfaceSample>> collect();

  // Detaches from every interface (on shutdown).
  void detach_all();

  const ProbeStats& stats() const { return stats_; }
  // Names of the attached interfaces, sorted.
  std::vector<std::string> attached_names() const;
  bool permission_denied() const { return permission_denied_; }

 private:
  struct Interface {
    std::string name;
    std::uint16_t type = 0;  // ARPHRD_*
    std::unique_ptr<TcAttachment> attachment;
  };
  struct Failure {
    std::string name;
    AttachErrorReason reason;
    Clock::time_point at;
  };

  void try_attach(const LinkInfo& link);
  void remove(std::uint32_t ifindex, bool gone);

  ProbeOptions options_;
  InterfaceFilter filter_;
  std::unique_ptr<BpfPrograms> programs_;
  std::unique_ptr<TcAttacher> attacher_;
  std::optional<NetlinkSocket> events_;
  std::map<std::uint32_t, Interface> interfaces_;
  std::map<std::uint32_t, Failure> failures_;
  TrafficTable table_;
  ProbeStats stats_;
  bool permission_denied_ = false;
  bool read_error_logged_ = false;
  std::uint64_t overruns_ = 0;
};

}  // namespace observo::netprobe
