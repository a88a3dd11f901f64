// Attaching netprobe's programs to an interface's clsact hooks, and undoing exactly that.
//
// The rules (ref sheet, sections 2.1 and 2.7; libbpf-bootstrap examples/c/tc.c):
//  - The clsact qdisc may already exist (another tool, an earlier run): -EEXIST is success, and
//    whether observo created it is remembered.
//  - observo's filter has a fixed, configured handle and priority. A filter found in that slot
//    whose program is observo's ("observo_ingress:[id]") was left by a killed observo: it is
//    replaced in place (BPF_TC_F_REPLACE), so there is one observo filter per hook after any
//    number of crashes. A slot held by anything else is never touched: attach fails "conflict".
//    A clsact qdisc that held nothing but such leftovers is inherited as if observo created it.
//  - Detach removes observo's filter by handle and priority, only while it still runs observo's
//    program, and removes the clsact qdisc only when observo created it and it holds nothing
//    else. bpf_tc_hook_destroy() on a shared qdisc would delete other tools' filters.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sources/netprobe/bpf_programs.h"
#include "sources/netprobe/rtnetlink.h"
#include "sources/netprobe/sys_error.h"

namespace observo::netprobe {

struct TcSettings {
  std::uint32_t handle = 0x4f42;
  std::uint32_t priority = 1;
};

// One interface's attachment. Detaches in its destructor unless forget() was called.
class TcAttachment {
 public:
  TcAttachment(std::uint32_t ifindex, std::string name, TcSettings settings);
  ~TcAttachment();
  TcAttachment(const TcAttachment&) = delete;
  TcAttachment& operator=(const TcAttachment&) = delete;

  std::uint32_t ifindex() const { return ifindex_; }
  const std::string& name() const { return name_; }
  void rename(std::string name) { name_ = std::move(name); }
  bool created_qdisc() const { return created_qdisc_; }
  bool adopted() const { return adopted_; }  // replaced a filter a killed observo left
  // The qdisc held only a killed observo's filters, so observo treats it as its own.
  bool inherited_qdisc() const { return inherited_qdisc_; }

  // Removes observo's filters and, if observo created it and it is now empty, the qdisc.
  // Errors are logged at debug level: the interface may be going away.
  void detach();
  // The interface is gone, and its qdisc and filters with it: nothing to undo.
  void forget();

 private:
  friend class TcAttacher;
  std::uint32_t ifindex_;
  std::string name_;
  TcSettings settings_;
  bool created_qdisc_ = false;
  bool adopted_ = false;
  bool inherited_qdisc_ = false;
  bool attached_[2] = {false, false};  // by Hook
  std::uint32_t prog_ids_[2] = {0, 0};
};

class TcAttacher {
 public:
  TcAttacher(ProgramHandle ingress, ProgramHandle egress, TcSettings settings);

  // Both hooks, or neither: a failure undoes what this call did. A slot taken by another tool
  // is EEXIST with a context naming the other program.
  SysResult<std::unique_ptr<TcAttachment>> attach(std::uint32_t ifindex, const std::string& name);

  // True while both of observo's filters are in place with observo's programs.
  bool intact(const TcAttachment& attachment) const;

  const TcSettings& settings() const { return settings_; }

 private:
  // `foreign` becomes true when the hook holds a filter other than observo's slot; `adopted`
  // counts slots taken over from a killed observo.
  SysStatus attach_hook(TcAttachment& attachment, Hook hook, bool* foreign, int* adopted);
  const ProgramHandle& program(Hook hook) const {
    return hook == Hook::kIngress ? ingress_ : egress_;
  }

  ProgramHandle ingress_;
  ProgramHandle egress_;
  TcSettings settings_;
};

}  // namespace observo::netprobe
