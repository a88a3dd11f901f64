#include "sources/netprobe/tc_attach.h"

#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <spdlog/spdlog.h>

#include <cerrno>

#include <fmt/format.h>

namespace observo::netprobe {
namespace {

bpf_tc_hook make_hook(std::uint32_t ifindex, bpf_tc_attach_point point) {
  bpf_tc_hook hook{};
  hook.sz = sizeof hook;
  hook.ifindex = static_cast<int>(ifindex);
  hook.attach_point = point;
  return hook;
}

bpf_tc_hook make_hook(std::uint32_t ifindex, Hook hook) {
  return make_hook(ifindex, hook == Hook::kIngress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
}

constexpr Hook kHooks[] = {Hook::kIngress, Hook::kEgress};
int index_of(Hook hook) { return hook == Hook::kIngress ? 0 : 1; }

std::string where(const std::string& name, std::uint32_t ifindex) {
  return fmt::format("{} (ifindex {})", name, ifindex);
}

const FilterInfo* find_slot(const std::vector<FilterInfo>& filters, const TcSettings& settings) {
  for (const auto& filter : filters) {
    if (filter.handle == settings.handle && filter.priority == settings.priority) return &filter;
  }
  return nullptr;
}

}  // namespace

TcAttachment::TcAttachment(std::uint32_t ifindex, std::string name, TcSettings settings)
    : ifindex_(ifindex), name_(std::move(name)), settings_(settings) {}

TcAttachment::~TcAttachment() { detach(); }

void TcAttachment::forget() {
  attached_[0] = attached_[1] = false;
  created_qdisc_ = false;
}

void TcAttachment::detach() {
  for (const auto hook : kHooks) {
    const int i = index_of(hook);
    if (!attached_[i]) continue;
    attached_[i] = false;
    // Only while the slot still runs our program: someone may have replaced it since.
    auto filters = dump_filters(ifindex_, hook);
    if (!filters) {
      spdlog::debug("netprobe: {}", filters.error().message());
      continue;
    }
    const auto* filter = find_slot(*filters, settings_);
    if (filter == nullptr || filter->bpf_prog_id != prog_ids_[i]) {
      spdlog::debug("netprobe: {} {}: observo's filter is no longer there; nothing to detach",
                    where(name_, ifindex_), hook_name(hook));
      continue;
    }
    auto tc_hook = make_hook(ifindex_, hook);
    bpf_tc_opts opts{};  // detach wants prog_fd, prog_id and flags zero
    opts.sz = sizeof opts;
    opts.handle = settings_.handle;
    opts.priority = settings_.priority;
    if (const int err = bpf_tc_detach(&tc_hook, &opts); err != 0 && err != -ENOENT) {
      spdlog::debug("netprobe: bpf_tc_detach on {} {}: {}", where(name_, ifindex_), hook_name(hook),
                    sys_error(err, "").message());
    }
  }
  if (!created_qdisc_) return;
  created_qdisc_ = false;
  for (const auto hook : kHooks) {
    auto filters = dump_filters(ifindex_, hook);
    if (!filters || !filters->empty()) {
      spdlog::debug("netprobe: keeping the clsact qdisc on {}: other filters are attached",
                    where(name_, ifindex_));
      return;
    }
  }
  auto both = make_hook(ifindex_, static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS));
  if (const int err = bpf_tc_hook_destroy(&both); err != 0 && err != -ENOENT && err != -ENODEV) {
    spdlog::debug("netprobe: removing the clsact qdisc on {}: {}", where(name_, ifindex_),
                  sys_error(err, "").message());
  }
}

TcAttacher::TcAttacher(ProgramHandle ingress, ProgramHandle egress, TcSettings settings)
    : ingress_(std::move(ingress)), egress_(std::move(egress)), settings_(settings) {}

SysResult<std::unique_ptr<TcAttachment>> TcAttacher::attach(std::uint32_t ifindex,
                                                            const std::string& name) {
  auto attachment = std::make_unique<TcAttachment>(ifindex, name, settings_);
  auto hook = make_hook(ifindex, BPF_TC_INGRESS);
  const int err = bpf_tc_hook_create(&hook);
  if (err != 0 && err != -EEXIST) {
    return sys_error(err, "creating the clsact qdisc on " + where(name, ifindex));
  }
  attachment->created_qdisc_ = err == 0;
  bool foreign = false;
  int adopted = 0;
  for (const auto h : kHooks) {
    if (auto status = attach_hook(*attachment, h, &foreign, &adopted); !status) {
      attachment->detach();
      return status.error();
    }
  }
  // A qdisc that held nothing but the filters of a killed observo was almost certainly created
  // by it: inherit it, so that it goes at our exit (only if empty then, as always).
  if (!attachment->created_qdisc_ && adopted == 2 && !foreign) {
    attachment->created_qdisc_ = true;
    attachment->inherited_qdisc_ = true;
  }
  return attachment;
}

SysStatus TcAttacher::attach_hook(TcAttachment& attachment, Hook hook, bool* foreign,
                                  int* adopted) {
  const auto place =
      fmt::format("{} {}", where(attachment.name_, attachment.ifindex_), hook_name(hook));
  auto filters = dump_filters(attachment.ifindex_, hook);
  if (!filters) return filters.error();

  __u32 flags = 0;
  for (const auto& filter : *filters) {
    if (filter.priority != settings_.priority ||
        (filter.handle != 0 && filter.handle != settings_.handle)) {
      *foreign = true;
    }
    if (filter.priority != settings_.priority) continue;
    // Filters sharing a priority must share kind and protocol: the kernel refuses ours (EINVAL)
    // next to, say, a u32 filter. Say so instead.
    if (filter.kind != "bpf" || filter.protocol != ETH_P_ALL) {
      return SysError{EEXIST, fmt::format("priority {} on {} is used by a {} filter of another "
                                          "tool (protocol 0x{:04x}); set netprobe.tc_priority "
                                          "to a free priority",
                                          settings_.priority, place, filter.kind, filter.protocol)};
    }
    if (filter.handle != settings_.handle) continue;
    if (bpf_filter_program(filter.bpf_name) != program(hook).name) {
      return SysError{EEXIST, fmt::format("handle 0x{:x} priority {} on {} holds another tool's "
                                          "filter ({}); set netprobe.tc_handle or tc_priority to "
                                          "a free slot",
                                          settings_.handle, settings_.priority, place,
                                          filter.bpf_name.empty() ? filter.kind : filter.bpf_name)};
    }
    flags = BPF_TC_F_REPLACE;  // left by a killed observo: adopt the slot
    attachment.adopted_ = true;
    ++*adopted;
    spdlog::info("netprobe: replacing the filter {} a previous observo left on {}", filter.bpf_name,
                 place);
  }

  auto tc_hook = make_hook(attachment.ifindex_, hook);
  bpf_tc_opts opts{};
  opts.sz = sizeof opts;
  opts.prog_fd = program(hook).fd;
  opts.flags = flags;
  opts.handle = settings_.handle;
  opts.priority = settings_.priority;
  if (const int err = bpf_tc_attach(&tc_hook, &opts); err != 0) {
    return sys_error(err, "bpf_tc_attach on " + place);
  }
  const int i = index_of(hook);
  attachment.attached_[i] = true;
  attachment.prog_ids_[i] = opts.prog_id;
  return sys_ok();
}

bool TcAttacher::intact(const TcAttachment& attachment) const {
  for (const auto hook : kHooks) {
    const int i = index_of(hook);
    if (!attachment.attached_[i]) return false;
    auto filters = dump_filters(attachment.ifindex_, hook);
    if (!filters) return false;
    const auto* filter = find_slot(*filters, settings_);
    if (filter == nullptr || filter->bpf_prog_id != attachment.prog_ids_[i]) return false;
  }
  return true;
}

}  // namespace observo::netprobe
