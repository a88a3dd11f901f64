#include "run_observo.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "../support/test_client.h"

namespace observo::testing {

std::string observo_binary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const auto candidate = self.parent_path().parent_path() / "observo";
  return std::filesystem::exists(candidate) ? candidate.string() : std::string{};
}

namespace {

// Everything the child needs is built before the call: the test process runs gRPC and server
// threads, so the child must not allocate between fork and exec (a lock another thread held at
// fork time stays held in the child). posix_spawn does no such work in the child.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            int out_fd, int err_fd) {
  const std::string binary = observo_binary();
  std::vector<std::string> arg_text{binary};
  arg_text.insert(arg_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto name = text.substr(0, text.find('='));
    if (env.find(std::string(name)) == env.end()) env_text.emplace_back(text);
  }
  for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
  const auto pointers = [](std::vector<std::string>& texts) {
    std::vector<char*> out;
    for (auto& text : texts) out.push_back(text.data());
    out.push_back(nullptr);
    return out;
  };
  auto argv = pointers(arg_text);
  auto envp = pointers(env_text);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) {
    pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

RunResult run_observo(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
  RunResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return result;
  const pid_t pid = spawn(args, env, out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "[run_observo: cannot start " + observo_binary() + "]\n";
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      const auto n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  if (open_fds > 0) kill(pid, SIGKILL);
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (open_fds == 0 && WIFEXITED(status)) result.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {  // a sanitizer abort or a crash: say so in what the test prints
    result.err += "[run_observo: killed by signal " + std::to_string(WTERMSIG(status)) + "]\n";
  }
  return result;
}

ScratchDir::ScratchDir() {
  char pattern[] = "/tmp/observo-pixie-XXXXXX";
  dir_ = mkdtemp(pattern);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ScratchDir::write(const std::string& name, const std::string& text) const {
  const auto path = dir_ / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

ObservoServer::ObservoServer(const std::string& config_path,
                             const std::map<std::string, std::string>& env) {
  log_path_ = config_path + ".server.log";
  const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  pid_ = spawn({"server", "--config", config_path, "--listen-address", "127.0.0.1", "--port", "0"},
               env, fd, fd);
  close(fd);
  const std::regex listening(R"(listening on (https?)://[0-9.]+:([0-9]+))");
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    std::smatch match;
    const auto text = log();
    if (std::regex_search(text, match, listening)) {
      const auto port = static_cast<std::uint16_t>(std::stoi(match[2]));
      // Plain HTTP: asked like a probe would. HTTPS (server.tls): the log's "ready" line, the
      // same moment /ready turns 200, without a TLS client here.
      const bool ready = match[1] == "https" ? text.find(" info ready\n") != std::string::npos
                                             : http_request(port, "GET", "/ready").status == 200;
      if (ready) port_ = port;
    }
    if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

ObservoServer::~ObservoServer() { stop(); }

int ObservoServer::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ObservoServer::log() const {
  std::ifstream in(log_path_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

HttpAnswer http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& content_type) {
  namespace http = boost::beast::http;
  TestClient client(port, std::nullopt, std::chrono::seconds(20));
  HttpAnswer answer;
  if (client.connect()) return answer;
  ClientRequest request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (!body.empty()) {
    request.set(http::field::content_type, content_type);
    request.body() = body;
  }
  request.prepare_payload();
  ClientResponse response;
  if (client.request(std::move(request), response)) return answer;
  answer.status = static_cast<int>(response.result_int());
  answer.body = response.body();
  answer.content_type = std::string(response[http::field::content_type]);
  answer.content_encoding = std::string(response[http::field::content_encoding]);
  return answer;
}

}  // namespace observo::testing
