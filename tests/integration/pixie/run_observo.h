// Runs the real observo binary (built next to this test binary) the way a user does: as a
// child process with arguments and environment, capturing stdout, stderr and the exit code,
// bounded by a timeout; and starts `observo server` on a kernel-chosen port for the REST and
// metrics tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace observo::testing {

// build/observo, next to build/tests/observo_integration_tests; empty when it does not exist.
std::string observo_binary();

struct RunResult {
  int code = -1;  // exit code; -1 on a signal or timeout
  std::string out;
  std::string err;
};

RunResult run_observo(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::seconds timeout = std::chrono::seconds(30));

// A temporary folder removed with everything in it.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string write(const std::string& name, const std::string& text) const;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

// `observo server --config F --listen-address 127.0.0.1 --port 0`, stopped with SIGTERM.
// started() once it is ready (HTTP: /ready answers 200; HTTPS: the log says so).
class ObservoServer {
 public:
  ObservoServer(const std::string& config_path, const std::map<std::string, std::string>& env = {});
  ~ObservoServer();
  ObservoServer(const ObservoServer&) = delete;
  ObservoServer& operator=(const ObservoServer&) = delete;
  bool started() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  std::string log() const;
  // SIGTERM, then waits for the exit; the exit code (-1 after a signal or when not running).
  int stop();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string log_path_;
};

// A plain HTTP/1.1 request to 127.0.0.1:port; returns status and body (0 on failure).
struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string content_encoding;
};
HttpAnswer http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::string& content_type = "application/json");

}  // namespace observo::testing
