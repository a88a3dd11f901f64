// A timeout for the synchronous writes of a streamed response. Beast's timeouts apply to
// asynchronous operations only, and Asio's synchronous write on a socket it keeps non-blocking
// waits for writability without a limit; so a watchdog thread shuts the socket down when one
// write outlasts server.write_timeout, which wakes the blocked write with an error. One watchdog
// lives for the length of one streamed response.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace observo::http {

class WriteDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  WriteDeadline(int fd, std::chrono::milliseconds timeout)
      : fd_(fd), timeout_(timeout), thread_([this] { watch(); }) {}

  ~WriteDeadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  WriteDeadline(const WriteDeadline&) = delete;
  WriteDeadline& operator=(const WriteDeadline&) = delete;

  // Around each write: arm() before, disarm() after.
  void arm() {
    {
      std::lock_guard lock(mutex_);
      deadline_ = Clock::now() + timeout_;
    }
    wake_.notify_one();
  }

  void disarm() {
    std::lock_guard lock(mutex_);
    deadline_.reset();
  }

  bool expired() const {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    while (!done_) {
      if (!deadline_) {
        wake_.wait(lock);
        continue;
      }
      const auto deadline = *deadline_;
      if (wake_.wait_until(lock, deadline) == std::cv_status::timeout && deadline_ == deadline) {
        expired_ = true;
        deadline_.reset();
        ::shutdown(fd_, SHUT_RDWR);  // the blocked write fails (EPIPE); the session closes
      }
    }
  }

  const int fd_;
  const std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Clock::time_point> deadline_;
  bool done_ = false;
  bool expired_ = false;
  std::thread thread_;  // last: starts after the members it reads
};

}  // namespace observo::http
