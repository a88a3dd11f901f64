// Peak memory of the daemon while it streams a large Pixie result: starts the tests' fake Vizier
// and the real `observo server` (built beside this program's folder) with one Pixie cluster,
// reads the daemon's VmRSS/VmHWM when idle, then POSTs /api/v1/query for `rows:N` (format csv by
// default), reading and discarding the response as it arrives, and reads VmHWM again. A plain
// main() rather than Google Benchmark: the figure is one process's peak, not a time per
// iteration. See bench/README.md.
//
//   bench_pixie_daemon [rows (default 1000000)] [csv|json (default csv)] [buffered]
//
// "buffered" sends HEAD /api/v1/query?... instead, which builds the whole body before answering
// (HEAD is never streamed): the cost streaming avoids, for comparison.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "../tests/integration/pixie/fake_vizier.h"
#include "../tests/integration/pixie/run_observo.h"

namespace {

using observo::testing::FakeVizier;
using observo::testing::ObservoServer;
using observo::testing::ScratchDir;

// The kB value of `field` ("VmRSS", "VmHWM") in /proc/<pid>/status; nullopt when unreadable.
std::optional<long> status_kb(long pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return std::nullopt;
}

// The pid of the child running `observo server`: the only child of this process.
long server_pid() {
  std::ifstream in("/proc/self/task/" + std::to_string(::getpid()) + "/children");
  long pid = 0;
  in >> pid;
  return pid;
}

double mib(long kb) { return static_cast<double>(kb) / 1024.0; }

}  // namespace

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1'000'000;
  const std::string format = argc > 2 ? argv[2] : "csv";
  const bool buffered = argc > 3 && std::string(argv[3]) == "buffered";
  if (observo::testing::observo_binary().empty()) {
    std::fprintf(stderr, "bench_pixie_daemon: the observo binary is not built beside bench/\n");
    return 2;
  }
  FakeVizier fake({});
  if (!fake.start()) {
    std::fprintf(stderr, "bench_pixie_daemon: the fake Vizier did not start\n");
    return 2;
  }
  ScratchDir dir;
  const auto config =
      dir.write("observo.yaml",
                "metrics:\n  process_metrics: false\npixie:\n  enabled: false\n"
                "  clusters:\n    - id: local\n      address: " +
                    fake.address() + "\n      disable_ssl: true\n      query_timeout: 600s\n");
  ObservoServer server(config);
  if (!server.started()) {
    std::fprintf(stderr, "bench_pixie_daemon: observo server did not start:\n%s\n",
                 server.log().c_str());
    return 2;
  }
  const long pid = server_pid();
  if (pid <= 0) {
    std::fprintf(stderr, "bench_pixie_daemon: cannot find the server's pid\n");
    return 2;
  }
  // One small query first, so that the gRPC channel and the API are set up before "idle".
  if (observo::testing::http_request(server.port(), "POST", "/api/v1/query",
                                     R"({"query":"rows:10","format":"csv"})")
          .status != 200) {
    std::fprintf(stderr, "bench_pixie_daemon: the warm-up query failed\n");
    return 2;
  }
  const auto idle_rss = status_kb(pid, "VmRSS");
  const auto idle_hwm = status_kb(pid, "VmHWM");
  if (!idle_rss || !idle_hwm) {
    std::fprintf(stderr, "bench_pixie_daemon: cannot read /proc/%ld/status\n", pid);
    return 2;
  }

  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::socket socket(io);
  socket.connect({net::ip::make_address("127.0.0.1"), server.port()});
  const std::string body =
      R"({"query":"rows:)" + std::to_string(rows) + R"(","format":")" + format + R"("})";
  const std::string request =
      buffered ? "HEAD /api/v1/query?query=rows:" + std::to_string(rows) + "&format=" + format +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
               : "POST /api/v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nConnection: close\r\n"
                 "Content-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body;
  const auto started = std::chrono::steady_clock::now();
  net::write(socket, net::buffer(request));
  // Read and discard until the server closes; keep the first bytes for the status line.
  std::string head;
  std::uint64_t received = 0;
  long peak_seen = 0;
  std::vector<long> samples;  // VmRSS every 16 MiB received: flat, or growing with the body?
  char buffer[64 * 1024];
  boost::system::error_code ec;
  for (;;) {
    const auto n = socket.read_some(net::buffer(buffer), ec);
    if (head.size() < 512) head.append(buffer, std::min<std::size_t>(n, 512 - head.size()));
    received += n;
    if (received % (16 << 20) < n) {
      samples.push_back(status_kb(pid, "VmRSS").value_or(0));
      peak_seen = std::max(peak_seen, samples.back());
    }
    if (ec) break;
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  const auto peak = status_kb(pid, "VmHWM").value_or(0);
  const bool chunked = head.find("Transfer-Encoding: chunked") != std::string::npos;
  const bool ok = head.rfind("HTTP/1.1 200", 0) == 0 && chunked != buffered;

  std::printf("rows            %ld (%s%s)\n", rows, format.c_str(),
              buffered ? ", buffered: HEAD" : "");
  std::printf("response        %s, %s\n", head.substr(0, head.find('\r')).c_str(),
              chunked ? "chunked" : "not chunked");
  std::printf("bytes received  %llu (%.1f MiB)\n", static_cast<unsigned long long>(received),
              static_cast<double>(received) / (1 << 20));
  std::printf("elapsed         %.2f s (%.0f rows/s, %.1f MiB/s)\n", elapsed.count(),
              static_cast<double>(rows) / elapsed.count(),
              static_cast<double>(received) / (1 << 20) / elapsed.count());
  std::printf("idle RSS        %.1f MiB (VmHWM %.1f MiB)\n", mib(*idle_rss), mib(*idle_hwm));
  std::printf("peak RSS        %.1f MiB (VmHWM; highest VmRSS sampled %.1f MiB)\n", mib(peak),
              mib(peak_seen));
  std::printf("VmRSS samples  ");
  for (const auto kb : samples) std::printf(" %.1f", mib(kb));
  std::printf(" MiB (every 16 MiB received)\n");
  std::printf("growth          %.1f MiB over idle RSS (target: under 50 MB)\n",
              mib(peak - *idle_rss));
  return ok ? 0 : 1;
}
