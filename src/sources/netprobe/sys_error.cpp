#include "sources/netprobe/sys_error.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace observo::netprobe {
namespace {
// The kernel-internal ENOTSUPP, which bpf(2) lets through to userspace.
constexpr int kEnotsupp = 524;
}  // namespace

std::string errno_name(int err) {
  switch (err) {
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case ESRCH:
      return "ESRCH";
    case EINTR:
      return "EINTR";
    case EIO:
      return "EIO";
    case ENXIO:
      return "ENXIO";
    case E2BIG:
      return "E2BIG";
    case EBADF:
      return "EBADF";
    case EAGAIN:
      return "EAGAIN";
    case ENOMEM:
      return "ENOMEM";
    case EACCES:
      return "EACCES";
    case EFAULT:
      return "EFAULT";
    case EBUSY:
      return "EBUSY";
    case EEXIST:
      return "EEXIST";
    case ENODEV:
      return "ENODEV";
    case EINVAL:
      return "EINVAL";
    case ENOSPC:
      return "ENOSPC";
    case ENOSYS:
      return "ENOSYS";
    case ENOTSUP:
      return "EOPNOTSUPP";
    case ENOBUFS:
      return "ENOBUFS";
    case EPROTONOSUPPORT:
      return "EPROTONOSUPPORT";
    case kEnotsupp:
      return "ENOTSUPP";
    default:
      return std::to_string(err);
  }
}

std::string SysError::message() const {
  char buffer[128];
  // GNU strerror_r returns the message (maybe not in buffer).
  const char* text = strerror_r(err, buffer, sizeof buffer);
  return fmt::format("{}: {} ({})", context, text, errno_name(err));
}

}  // namespace observo::netprobe
