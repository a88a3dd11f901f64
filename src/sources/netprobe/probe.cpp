#include "sources/netprobe/probe.h"

#include <linux/rtnetlink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <set>

namespace observo::netprobe {

AttachErrorReason classify_attach_error(const SysError& error) {
  switch (error.err) {
    case EPERM:
    case EACCES:
      return AttachErrorReason::kPermission;
    case ENODEV:
    case ENXIO:
    case ENOENT:
      return AttachErrorReason::kInterfaceGone;
    case EEXIST:
    case EBUSY:
      return AttachErrorReason::kConflict;
    case EINVAL:
    case EOPNOTSUPP:
      return AttachErrorReason::kRejected;
    default:
      return AttachErrorReason::kOther;
  }
}

Probe::Probe(ProbeOptions options)
    : options_(std::move(options)), filter_(options_.include, options_.exclude) {}

Probe::~Probe() { detach_all(); }

SysStatus Probe::load() {
  auto programs = BpfPrograms::load({.by_protocol = options_.by_protocol});
  if (!programs) return programs.error();
  programs_ = std::move(*programs);
  attacher_ = std::make_unique<TcAttacher>(programs_->ingress(), programs_->egress(), options_.tc);
  return sys_ok();
}

SysStatus Probe::watch() {
  auto socket = NetlinkSocket::open(RTMGRP_LINK, /*nonblocking=*/true, options_.event_buffer_bytes);
  if (!socket) return socket.error();
  events_.emplace(std::move(*socket));
  return sys_ok();
}

void Probe::handle_events() {
  if (!events_) return;
  bool overrun = false;
  std::vector<LinkEvent> events;
  auto status = events_->read_events(
      [&events](const nlmsghdr* header) {
        if (auto event = parse_link_message(header, header->nlmsg_len)) {
          events.push_back(std::move(*event));
        }
      },
      &overrun);
  for (const auto& event : events) apply(event);
  if (!status) {
    spdlog::warn("netprobe: {}; following links by re-listing them every collection instead",
                 status.error().message());
    events_.reset();
  }
  if (overrun) {
    ++overruns_;
    spdlog::info("netprobe: link events were lost (netlink ENOBUFS); resynchronising");
    resync();
  }
}

void Probe::apply(const LinkEvent& event) {
  const auto& link = event.link;
  if (event.kind == LinkEventKind::kDel) {
    remove(link.ifindex, /*gone=*/true);
    failures_.erase(link.ifindex);
    return;
  }
  if (link.name.empty()) return;
  const auto known = interfaces_.find(link.ifindex);
  if (known != interfaces_.end()) {
    if (known->second.name == link.name) return;
    spdlog::info("netprobe: interface {} (ifindex {}) renamed to {}", known->second.name,
                 link.ifindex, link.name);
    if (!filter_.matches(link.name)) {
      remove(link.ifindex, /*gone=*/false);
      return;
    }
    known->second.name = link.name;
    known->second.attachment->rename(link.name);
    return;
  }
  if (!filter_.matches(link.name)) {
    failures_.erase(link.ifindex);
    return;
  }
  try_attach(link);
}

void Probe::try_attach(const LinkInfo& link) {
  if (!attacher_) return;
  const auto now = Clock::now();
  const auto failed = failures_.find(link.ifindex);
  if (failed != failures_.end() && failed->second.name == link.name &&
      now - failed->second.at < options_.attach_retry) {
    return;  // NEWLINK fires on every flag change: do not hammer a slot that just failed
  }

  if (auto keys = programs_->create_keys(link.ifindex, l2_header_length(link.type)); !keys) {
    // Not fatal: the programs insert a missing key on the first packet themselves.
    spdlog::debug("netprobe: {}", keys.error().message());
  }
  SysError error;
  if (auto attachment = attacher_->attach(link.ifindex, link.name); attachment) {
    spdlog::info("netprobe: attached to {} (ifindex {}){}{}", link.name, link.ifindex,
                 (*attachment)->inherited_qdisc()
                     ? ", took over the clsact qdisc a previous observo created"
                 : (*attachment)->created_qdisc() ? ", created its clsact qdisc"
                                                  : "",
                 (*attachment)->adopted() ? ", replaced the filter of a previous observo" : "");
    interfaces_[link.ifindex] = Interface{link.name, link.type, std::move(*attachment)};
    failures_.erase(link.ifindex);
    permission_denied_ = false;
    return;
  } else {
    error = attachment.error();
  }

  programs_->delete_keys(link.ifindex);
  const auto reason = classify_attach_error(error);
  stats_.attach_errors[reason]++;
  if (reason == AttachErrorReason::kPermission) permission_denied_ = true;
  const bool repeated = failed != failures_.end() && failed->second.reason == reason;
  if (reason == AttachErrorReason::kInterfaceGone) {
    spdlog::debug("netprobe: {} (ifindex {}) went away while attaching: {}", link.name,
                  link.ifindex, error.message());
  } else if (!repeated) {
    spdlog::warn("netprobe: cannot attach to {} (ifindex {}): {}", link.name, link.ifindex,
                 error.message());
  }
  failures_[link.ifindex] = Failure{link.name, reason, now};
}

void Probe::remove(std::uint32_t ifindex, bool gone) {
  const auto found = interfaces_.find(ifindex);
  if (found == interfaces_.end()) return;
  if (gone) {
    found->second.attachment->forget();
    spdlog::info("netprobe: interface {} (ifindex {}) went away", found->second.name, ifindex);
  } else {
    found->second.attachment->detach();
    spdlog::info(
        "netprobe: detached from {} (ifindex {}): no longer matches the interface "
        "filter",
        found->second.name, ifindex);
  }
  interfaces_.erase(found);
  if (programs_) programs_->delete_keys(ifindex);
  table_.forget(ifindex);
}

void Probe::resync() {
  auto links = dump_links();
  if (!links) {
    spdlog::warn("netprobe: cannot list the interfaces: {}", links.error().message());
    return;
  }
  std::set<std::uint32_t> present;
  for (const auto& link : *links) {
    present.insert(link.ifindex);
    apply(LinkEvent{LinkEventKind::kNew, link});
  }
  std::vector<std::uint32_t> vanished;
  for (const auto& [ifindex, _] : interfaces_) {
    if (!present.count(ifindex)) vanished.push_back(ifindex);
  }
  for (const auto ifindex : vanished) remove(ifindex, /*gone=*/true);
  std::erase_if(failures_, [&present](const auto& item) { return !present.count(item.first); });

  // Someone (tc filter del, another tool's cleanup) may have removed observo's filter.
  std::vector<LinkInfo> lost;
  for (const auto& [ifindex, iface] : interfaces_) {
    if (!attacher_->intact(*iface.attachment)) lost.push_back({ifindex, iface.name, 0, iface.type});
  }
  for (const auto& link : lost) {
    spdlog::warn(
        "netprobe: observo's filter on {} (ifindex {}) was removed by someone else; "
        "attaching again",
        link.name, link.ifindex);
    interfaces_.erase(link.ifindex);  // its attachment detaches whatever is left of it
    table_.forget(link.ifindex);
    try_attach(link);
  }
}

std::optional<std::vector<InterfaceSample>> Probe::collect() {
  if (!programs_) return std::nullopt;
  const auto started = Clock::now();
  auto readings = programs_->read_counters();
  if (!readings) {
    stats_.collection_errors++;
    if (!read_error_logged_) {
      spdlog::warn("netprobe: cannot read the counters: {}", readings.error().message());
      read_error_logged_ = true;
    }
    return std::nullopt;
  }
  read_error_logged_ = false;
  // Keys of interfaces no longer attached (a packet in flight during a detach re-creates one).
  for (const auto& reading : *readings) {
    if (!interfaces_.count(reading.key.ifindex)) programs_->delete_key(reading.key);
  }
  std::vector<InterfaceRef> refs;
  refs.reserve(interfaces_.size());
  for (const auto& [ifindex, iface] : interfaces_) refs.push_back({ifindex, iface.name});
  auto samples = table_.update(*readings, refs, started);

  stats_.collections++;
  stats_.last_collection = std::chrono::system_clock::now();
  stats_.last_collection_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  stats_.attached_interfaces = interfaces_.size();
  stats_.map_entries = readings->size();
  return samples;
}

void Probe::detach_all() {
  for (auto& [ifindex, iface] : interfaces_) iface.attachment->detach();
  interfaces_.clear();
  stats_.attached_interfaces = 0;
}

std::vector<std::string> Probe::attached_names() const {
  std::vector<std::string> names;
  for (const auto& [_, iface] : interfaces_) names.push_back(iface.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace observo::netprobe
