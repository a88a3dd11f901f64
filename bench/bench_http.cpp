// A full GET /metrics through the real HTTP server, over a keep-alive loopback connection, with
// 100k snapshot series published to the hub (the data of bench_encoders). Measures what a
// Prometheus scrape costs end to end: collect, encode, write, read. Target: under 20 ms.
#include <benchmark/benchmark.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench_data.h"
#include "observo/http/server.h"

namespace {

using tcp = boost::asio::ip::tcp;

struct Fixture {
  Fixture() : hub(hub_options()), context{config, hub, board}, server(context) {
    hub.publish("bench", observo::bench::make_snapshot());
    context.ready = true;
    if (!server.start()) std::abort();
  }
  static observo::config::Config make_config() {
    observo::config::Config c;
    c.server.listen_address = "127.0.0.1";
    c.server.port = 0;
    return c;
  }
  static observo::metrics::HubOptions hub_options() {
    observo::metrics::HubOptions options;
    options.max_series_per_family = 20000;
    return options;
  }
  observo::config::Config config = make_config();
  observo::metrics::Hub hub;
  observo::SourceBoard board;
  observo::http::AppContext context;
  observo::http::Server server;
};

Fixture& fixture() {
  static auto* f = new Fixture();  // lives for the whole run: the server keeps its threads
  return *f;
}

// Reads one response straight into a reused buffer: the client should cost as little as a
// scraper's does, so that the figure is the server's (collect, encode, write).
std::size_t read_response(tcp::socket& socket, std::vector<char>& buffer) {
  std::size_t have = 0;
  std::size_t header_end = std::string_view::npos;
  std::size_t total = 0;
  for (;;) {
    if (have == buffer.size()) buffer.resize(buffer.size() * 2);
    have += socket.read_some(boost::asio::buffer(buffer.data() + have, buffer.size() - have));
    const std::string_view text(buffer.data(), have);
    if (header_end == std::string_view::npos) {
      header_end = text.find("\r\n\r\n");
      if (header_end == std::string_view::npos) continue;
      const auto at = text.find("Content-Length: ");
      if (at == std::string_view::npos || at > header_end) return 0;
      total = header_end + 4 + std::stoull(std::string(text.substr(at + 16, 20)));
      if (text.substr(0, 12) != "HTTP/1.1 200") return 0;
    }
    if (have >= total) return total - header_end - 4;
  }
}

void scrape(benchmark::State& state, const char* accept, const char* accept_encoding) {
  auto& f = fixture();
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), f.server.port()));
  std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ";
  request += accept;
  request += "\r\n";
  if (*accept_encoding != 0) request += std::string("Accept-Encoding: ") + accept_encoding + "\r\n";
  request += "\r\n";
  std::vector<char> buffer(16 << 20);
  std::size_t bytes = 0;
  for (auto _ : state) {
    boost::asio::write(socket, boost::asio::buffer(request));
    bytes = read_response(socket, buffer);
    if (bytes == 0) state.SkipWithError("no 200 response with Content-Length");
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
  state.counters["series"] = static_cast<double>(f.hub.collect().series_count());
}

void BM_GetMetricsPrometheusText(benchmark::State& state) {
  scrape(state, "text/plain;version=0.0.4", "");
}
void BM_GetMetricsOpenMetrics(benchmark::State& state) {
  // What Prometheus 2.x sends.
  scrape(state,
         "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
         "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
         "");
}
void BM_GetMetricsPrometheusTextGzip(benchmark::State& state) {
  scrape(state, "text/plain;version=0.0.4", "gzip");
}

BENCHMARK(BM_GetMetricsPrometheusText)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GetMetricsOpenMetrics)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GetMetricsPrometheusTextGzip)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
