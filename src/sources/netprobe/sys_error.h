// Typed errors for kernel calls (bpf(2), libbpf, rtnetlink) and an owning file descriptor.
//
// netprobe decides what to do from the errno of a failed call (EPERM: degraded mode; ENODEV:
// the interface went away; EEXIST: someone holds the filter slot), so errors keep it next to a
// context naming the call and its object, as bpftrace's typed BPF errors do.
#pragma once

#include <unistd.h>

#include <string>
#include <utility>
#include <variant>

namespace observo::netprobe {

struct SysError {
  int err = 0;          // positive errno
  std::string context;  // "bpf_tc_attach on eth0 (ifindex 2) ingress"

  // "<context>: <strerror> (<ENAME>)"
  std::string message() const;
};

// errno name ("EPERM"), or the number when unknown.
std::string errno_name(int err);

// A value or a SysError.
template <typename T>
class SysResult {
 public:
  SysResult(T value) : data_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  SysResult(SysError error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const SysError& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, SysError> data_;
};

struct Unit {};
using SysStatus = SysResult<Unit>;
inline SysStatus sys_ok() { return Unit{}; }

// Makes a SysError from a libbpf return value (negative errno) or errno itself.
inline SysError sys_error(int err, std::string context) {
  return SysError{err < 0 ? -err : err, std::move(context)};
}

// Owns one file descriptor; closes it once.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace observo::netprobe
