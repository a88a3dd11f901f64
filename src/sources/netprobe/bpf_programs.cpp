#include "sources/netprobe/bpf_programs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <thread>

#include "netprobe.skel.h"

namespace observo::netprobe {
namespace {

thread_local std::string t_first_warning;
constexpr int kInsertAttempts = 50;

int libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  const int needed = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (needed <= 0) return 0;
  std::string text(static_cast<std::size_t>(needed) + 1, '\0');
  std::vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<std::size_t>(needed));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  // The first warning of a failed load names the root cause; later ones only repeat "failed".
  // Its first sentence is enough (libbpf appends generic advice). libbpf's attempt to raise
  // RLIMIT_MEMLOCK fails without CAP_SYS_RESOURCE and is harmless on kernels that account BPF
  // memory to cgroups (5.11+): never the cause worth reporting.
  constexpr std::string_view kPrefix = "libbpf: ";
  std::string line = text.substr(0, text.find('\n'));
  if (line.rfind(kPrefix, 0) == 0) line.erase(0, kPrefix.size());
  if (level == LIBBPF_WARN && t_first_warning.empty() &&
      line.rfind("Failed to bump RLIMIT_MEMLOCK", 0) != 0) {
    t_first_warning = line.substr(0, line.find(". "));
  }
  if (level == LIBBPF_DEBUG) {
    spdlog::trace("libbpf: {}", text);
  } else {
    spdlog::debug("libbpf: {}", text);
  }
  return needed;
}

SysResult<ProgramHandle> handle_of(bpf_program* program) {
  ProgramHandle handle;
  handle.fd = bpf_program__fd(program);
  handle.name = bpf_program__name(program);
  bpf_prog_info info{};
  __u32 length = sizeof info;
  if (const int err = bpf_obj_get_info_by_fd(handle.fd, &info, &length); err != 0) {
    return sys_error(err, "bpf_obj_get_info_by_fd(" + handle.name + ")");
  }
  handle.id = info.id;
  return handle;
}

}  // namespace

void route_libbpf_logs() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(libbpf_print); });
}

std::string first_libbpf_warning() { return t_first_warning; }

void BpfPrograms::SkeletonDeleter::operator()(netprobe_bpf* skeleton) const {
  netprobe_bpf::destroy(skeleton);
}

SysResult<std::unique_ptr<BpfPrograms>> BpfPrograms::load(const LoadOptions& options) {
  route_libbpf_logs();
  t_first_warning.clear();
  std::unique_ptr<BpfPrograms> programs(new BpfPrograms());

  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return sys_error(cpus, "libbpf_num_possible_cpus");
  programs->possible_cpus_ = cpus;

  errno = 0;
  programs->skeleton_.reset(netprobe_bpf::open());
  if (!programs->skeleton_) return sys_error(errno ? errno : EINVAL, "opening the BPF object");
  auto* skeleton = programs->skeleton_.get();

  skeleton->rodata->cfg_by_protocol = options.by_protocol ? 1 : 0;
  programs->by_protocol_ = options.by_protocol;
  if (const int err = bpf_map__set_max_entries(skeleton->maps.np_counters, options.max_entries);
      err != 0) {
    return sys_error(err, "bpf_map__set_max_entries(" NETPROBE_MAP_COUNTERS ")");
  }
  const __u32 fast_entries = NETPROBE_FAST_SLOTS * netprobe_fast_stride(options.by_protocol);
  if (const int err = bpf_map__set_max_entries(skeleton->maps.np_fast, fast_entries); err != 0) {
    return sys_error(err, "bpf_map__set_max_entries(" NETPROBE_MAP_FAST ")");
  }
  programs->slot_owner_.assign(NETPROBE_FAST_SLOTS, 0);
  if (const int err = netprobe_bpf::load(skeleton); err != 0) {
    return sys_error(err, "loading the BPF programs");
  }
  auto ingress = handle_of(skeleton->progs.observo_ingress);
  if (!ingress) return ingress.error();
  auto egress = handle_of(skeleton->progs.observo_egress);
  if (!egress) return egress.error();
  programs->ingress_ = std::move(*ingress);
  programs->egress_ = std::move(*egress);
  return programs;
}

BpfPrograms::~BpfPrograms() = default;

int BpfPrograms::counters_fd() const { return bpf_map__fd(skeleton_->maps.np_counters); }
int BpfPrograms::owner_fd() const { return bpf_map__fd(skeleton_->maps.np_owner); }
int BpfPrograms::fast_fd() const { return bpf_map__fd(skeleton_->maps.np_fast); }

std::vector<netprobe_key> BpfPrograms::keys_of(std::uint32_t ifindex) const {
  std::vector<netprobe_key> keys;
  for (__u8 dir = 0; dir < NETPROBE_DIR_COUNT; ++dir) {
    if (!by_protocol_) {
      keys.push_back({ifindex, dir, NETPROBE_PROTO_ALL, 0});
      continue;
    }
    for (__u8 proto = NETPROBE_PROTO_TCP; proto <= NETPROBE_PROTO_OTHER; ++proto) {
      keys.push_back({ifindex, dir, proto, 0});
    }
  }
  return keys;
}

bool BpfPrograms::owns_slot(std::uint32_t ifindex) const {
  return ifindex != 0 && slot_owner_[netprobe_fast_slot(ifindex)] == ifindex;
}

SysStatus BpfPrograms::write_owner(std::uint32_t slot, netprobe_owner owner) {
  if (const int err = bpf_map_update_elem(owner_fd(), &slot, &owner, BPF_ANY); err != 0) {
    return sys_error(err, "updating " NETPROBE_MAP_OWNER);
  }
  slot_owner_[slot] = owner.ifindex;
  return sys_ok();
}

SysStatus BpfPrograms::create_keys(std::uint32_t ifindex, std::uint32_t l2_len) {
  const std::vector<netprobe_value> zeros(static_cast<std::size_t>(possible_cpus_));
  const auto slot = netprobe_fast_slot(ifindex);
  if (owns_slot(ifindex)) return sys_ok();
  if (ifindex != 0 && slot_owner_[slot] == 0) {
    // Zero first, publish the owner second: the programs never add to a previous owner's values.
    bool zeroed = true;
    for (const auto& key : keys_of(ifindex)) {
      const __u32 index = netprobe_fast_index(slot, key.direction, key.protocol, by_protocol_);
      if (bpf_map_update_elem(fast_fd(), &index, zeros.data(), BPF_ANY) != 0) zeroed = false;
    }
    if (zeroed && write_owner(slot, {ifindex, l2_len})) return sys_ok();
  }
  for (const auto& key : keys_of(ifindex)) {
    int err = 0;
    // A non-preallocated map allocates from per-CPU caches the kernel refills asynchronously,
    // so a burst of inserts (many interfaces at start) can see a transient ENOMEM.
    for (int attempt = 0; attempt < kInsertAttempts; ++attempt) {
      err = bpf_map_update_elem(counters_fd(), &key, zeros.data(), BPF_NOEXIST);
      if (err != -ENOMEM) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (err != 0 && err != -EEXIST) {
      return sys_error(err, "creating the counter keys of ifindex " + std::to_string(ifindex));
    }
  }
  return sys_ok();
}

void BpfPrograms::delete_keys(std::uint32_t ifindex) {
  if (owns_slot(ifindex)) (void)write_owner(netprobe_fast_slot(ifindex), {0, 0});
  for (const auto& key : keys_of(ifindex)) delete_key(key);
}

void BpfPrograms::delete_key(const netprobe_key& key) {
  bpf_map_delete_elem(counters_fd(), &key);  // ENOENT is fine
}

SysResult<std::vector<Reading>> BpfPrograms::read_counters() {
  std::vector<Reading> readings;
  if (auto fast = read_fast(readings); !fast) return fast.error();
  if (auto hash = read_hash(readings); !hash) return hash.error();
  return readings;
}

SysStatus BpfPrograms::read_fast(std::vector<Reading>& readings) {
  if (std::none_of(slot_owner_.begin(), slot_owner_.end(), [](auto o) { return o != 0; })) {
    return sys_ok();
  }
  const auto cpus = static_cast<std::size_t>(possible_cpus_);
  const __u32 entries = NETPROBE_FAST_SLOTS * netprobe_fast_stride(by_protocol_);
  fast_values_.resize(static_cast<std::size_t>(entries) * cpus);
  std::vector<__u32> indexes(entries);
  bool batched = false;
  if (batch_supported_) {
    __u32 count = entries;
    __u32 out_batch = 0;
    bpf_map_batch_opts opts{};
    opts.sz = sizeof opts;
    const int err = bpf_map_lookup_batch(fast_fd(), nullptr, &out_batch, indexes.data(),
                                         fast_values_.data(), &count, &opts);
    if ((err == 0 || err == -ENOENT) && count == entries) {
      batched = true;
    } else if (err != 0 && err != -ENOENT && err != -EINVAL && err != -ENOTSUP && err != -524) {
      return sys_error(err, "bpf_map_lookup_batch(" NETPROBE_MAP_FAST ")");
    }
  }
  for (std::uint32_t slot = 0; slot < NETPROBE_FAST_SLOTS; ++slot) {
    const auto ifindex = slot_owner_[slot];
    if (ifindex == 0) continue;
    for (const auto& key : keys_of(ifindex)) {
      const __u32 index = netprobe_fast_index(slot, key.direction, key.protocol, by_protocol_);
      auto* values = &fast_values_[static_cast<std::size_t>(index) * cpus];
      if (!batched && bpf_map_lookup_elem(fast_fd(), &index, values) != 0) {
        return sys_error(errno, "bpf_map_lookup_elem(" NETPROBE_MAP_FAST ")");
      }
      readings.push_back({key, sum_per_cpu(std::span<const netprobe_value>(values, cpus))});
    }
  }
  return sys_ok();
}

SysStatus BpfPrograms::read_hash(std::vector<Reading>& readings) {
  const int fd = counters_fd();
  const auto cpus = static_cast<std::size_t>(possible_cpus_);

  if (batch_supported_) {
    // Hash-map batches are per bucket: ENOSPC means one bucket holds more keys than fit, so
    // grow the buffers and ask again from the same position.
    std::vector<netprobe_key> keys;
    std::vector<netprobe_value> values;
    __u32 in_batch = 0;
    __u32 out_batch = 0;
    bool first = true;
    std::size_t read = 0;
    for (;;) {
      keys.resize(batch_capacity_);
      values.resize(batch_capacity_ * cpus);
      __u32 count = static_cast<__u32>(batch_capacity_);
      bpf_map_batch_opts opts{};
      opts.sz = sizeof opts;
      const int err = bpf_map_lookup_batch(fd, first ? nullptr : &in_batch, &out_batch, keys.data(),
                                           values.data(), &count, &opts);
      if (err != 0 && err != -ENOENT) {
        if (err == -ENOSPC && batch_capacity_ < (1u << 20)) {
          batch_capacity_ *= 2;
          continue;
        }
        if (first && (err == -EINVAL || err == -ENOTSUP || err == -524 /* ENOTSUPP */)) {
          batch_supported_ = false;  // kernel before 5.6: walk key by key below
          break;
        }
        return sys_error(err, "bpf_map_lookup_batch(" NETPROBE_MAP_COUNTERS ")");
      }
      for (__u32 i = 0; i < count; ++i) {
        readings.push_back(
            {keys[i], sum_per_cpu(std::span<const netprobe_value>(&values[i * cpus], cpus))});
      }
      read += count;
      if (err == -ENOENT) {
        // Keep room for the largest map seen, so the next pass is one call.
        if (read + 16 > batch_capacity_) batch_capacity_ = read * 2 + 16;
        return sys_ok();
      }
      in_batch = out_batch;
      first = false;
    }
  }

  std::vector<netprobe_value> values(cpus);
  netprobe_key key{};
  netprobe_key next{};
  const netprobe_key* previous = nullptr;
  while (bpf_map_get_next_key(fd, previous, &next) == 0) {
    if (bpf_map_lookup_elem(fd, &next, values.data()) == 0) {
      readings.push_back({next, sum_per_cpu(values)});
    }  // else deleted between the two calls
    key = next;
    previous = &key;
  }
  return sys_ok();
}

}  // namespace observo::netprobe
