// Server lifecycle: binding errors, graceful shutdown with a request in flight, prompt close of
// idle keep-alive connections, refusal of new connections after stop(), idempotent stop().
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "support/test_client.h"
#include "support/test_server.h"

namespace observo::testing {
namespace {

namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

// A collector that takes `delay` and says when it has begun, to hold a request in flight.
class SlowCollector : public metrics::Collector {
 public:
  explicit SlowCollector(std::chrono::milliseconds delay) : delay_(delay) {}

  metrics::SnapshotPtr collect() override {
    if (!signalled_.exchange(true)) started_.set_value();
    std::this_thread::sleep_for(delay_);
    metrics::Snapshot snapshot;
    metrics::Family family{
        "observo_test_slow", "A slow collector.", metrics::MetricType::kGauge, {}};
    family.series.push_back({{}, 1, {}, {}, 0, 0});
    snapshot.families.push_back(std::move(family));
    return std::make_shared<const metrics::Snapshot>(std::move(snapshot));
  }

  std::future<void> started() { return started_.get_future(); }

 private:
  std::chrono::milliseconds delay_;
  std::promise<void> started_;
  std::atomic<bool> signalled_{false};
};

TEST(HttpShutdown, InFlightRequestCompletesAndNewConnectionsAreRefused) {
  TestServer server;
  auto collector = std::make_shared<SlowCollector>(std::chrono::milliseconds(200));
  auto started = collector->started();
  server.hub().add_collector("slow", collector);
  ASSERT_TRUE(server.start());
  const auto port = server.port();

  auto in_flight = std::async(std::launch::async, [port] {
    boost::beast::error_code ec;
    auto response = fetch(port, make_request(bhttp::verb::get, "/metrics"), &ec);
    return std::make_pair(ec, response);
  });
  ASSERT_EQ(started.wait_for(std::chrono::seconds(5)), std::future_status::ready);

  const auto stop_begins = Clock::now();
  server.server().stop();
  EXPECT_LT(Clock::now() - stop_begins, std::chrono::milliseconds(1500));

  const auto [ec, response] = in_flight.get();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_FALSE(response.keep_alive());  // answered with Connection: close during shutdown
  EXPECT_NE(response.body().find("observo_test_slow 1"), std::string::npos);

  TestClient late(port);
  EXPECT_EQ(late.connect(), boost::asio::error::connection_refused);
  EXPECT_FALSE(server.context().stats.running.load());
}

TEST(HttpShutdown, IdleKeepAliveConnectionsDoNotDelayStop) {
  auto config = test_server_config();
  config.idle_timeout = std::chrono::seconds(30);
  config.shutdown_timeout = std::chrono::seconds(5);
  TestServer server(config);
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  ClientResponse response;
  ASSERT_FALSE(client.request(make_request(bhttp::verb::get, "/health"), response));

  const auto start = Clock::now();
  server.server().stop();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  const auto ec = client.wait_for_close(std::chrono::seconds(2));
  EXPECT_NE(ec, boost::beast::error::timeout);
}

TEST(HttpShutdown, ShutdownTimeoutBoundsASlowClient) {
  auto config = test_server_config();
  config.read_timeout = std::chrono::seconds(30);
  config.shutdown_timeout = std::chrono::milliseconds(300);
  TestServer server(config);
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write_raw("GET /health HTTP/1.1\r\n"));  // half a request, then nothing
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  const auto start = Clock::now();
  server.server().stop();
  const auto took = Clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(HttpShutdown, StopIsIdempotentAndRestartable) {
  TestServer server;
  server.server().stop();  // before start: nothing to do
  ASSERT_TRUE(server.start());
  server.server().stop();
  server.server().stop();
  ASSERT_TRUE(server.start());
  EXPECT_EQ(get(server.port(), "/health").result(), bhttp::status::ok);
}

TEST(HttpShutdown, AddressInUseIsAClearError) {
  TestServer first;
  ASSERT_TRUE(first.start());
  auto config = test_server_config();
  config.port = first.port();
  TestServer second(config);
  const auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << started.error();
  EXPECT_NE(started.error().find("in use"), std::string::npos) << started.error();
  EXPECT_EQ(second.port(), 0);
}

TEST(HttpShutdown, BadListenAddressIsAClearError) {
  auto config = test_server_config();
  config.listen_address = "not an address";
  TestServer server(config);
  const auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("listen_address"), std::string::npos) << started.error();
}

}  // namespace
}  // namespace observo::testing
