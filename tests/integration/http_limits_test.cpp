// The server's protections against clients: header and body limits, malformed requests, read
// and idle timeouts, keep-alive, and the cap on open connections.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/test_client.h"
#include "support/test_server.h"

namespace observo::testing {
namespace {

namespace bhttp = boost::beast::http;
namespace beast = boost::beast;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string header(const ClientResponse& response, bhttp::field field) {
  return std::string(response[field]);
}

// The server ended the connection (rather than our read timing out).
bool closed_by_peer(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset;
}

// The value of the first sample line starting with `prefix`, or -1.
double sample(const std::string& text, const std::string& prefix) {
  const auto at = text.find(prefix);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + prefix.size()));
}

// GET on a fresh connection, retried while the server still counts closed connections.
std::string get_when_served(std::uint16_t port, const std::string& target) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto response = get(port, target);
    if (response.result() == bhttp::status::ok) return response.body();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "never served " << target;
  return {};
}

TEST(HttpLimits, HugeHeaderGets431ThenClose) {
  TestServer server;
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  auto request = make_request(bhttp::verb::get, "/health");
  request.set("X-Filler", std::string(32 * 1024, 'a'));
  ClientResponse response;
  ASSERT_FALSE(client.request(std::move(request), response));
  EXPECT_EQ(response.result(), bhttp::status::request_header_fields_too_large);
  EXPECT_EQ(json::parse(response.body())["code"], 431);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(closed_by_peer(client.wait_for_close(std::chrono::seconds(2))));
}

TEST(HttpLimits, BigBodyGets413ThenClose) {
  auto config = test_server_config();
  config.max_body_bytes = 1024;
  TestServer server(config);
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  auto request = make_request(bhttp::verb::post, "/metrics");
  request.body() = std::string(256 * 1024, 'x');
  ClientResponse response;
  ASSERT_FALSE(client.request(std::move(request), response));
  EXPECT_EQ(response.result(), bhttp::status::payload_too_large);
  EXPECT_EQ(json::parse(response.body())["code"], 413);
  EXPECT_FALSE(response.keep_alive());

  // A body within the limit reaches the router (and gets its 405).
  auto small = make_request(bhttp::verb::post, "/metrics");
  small.body() = std::string(512, 'x');
  EXPECT_EQ(fetch(server.port(), std::move(small)).result(), bhttp::status::method_not_allowed);
}

TEST(HttpLimits, MalformedRequestGets400) {
  TestServer server;
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write_raw("GET /health HTTP/1.1\r\nBad Header Line\r\n\r\n"));
  ClientResponse response;
  ASSERT_FALSE(client.receive(response));
  EXPECT_EQ(response.result(), bhttp::status::bad_request);
  EXPECT_EQ(json::parse(response.body())["code"], 400);
}

TEST(HttpLimits, SlowClientIsCutOffByTheReadTimeout) {
  TestServer server;  // read_timeout 300 ms
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  const auto start = Clock::now();
  ASSERT_FALSE(client.write_raw("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));
  const auto ec = client.wait_for_close(std::chrono::seconds(3));
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed_by_peer(ec)) << ec.message();
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

TEST(HttpLimits, SilentConnectionIsCutOffToo) {
  TestServer server;
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  EXPECT_TRUE(closed_by_peer(client.wait_for_close(std::chrono::seconds(3))));
}

TEST(HttpLimits, KeepAliveServesSeveralRequestsThenIdleTimeoutCloses) {
  auto config = test_server_config();
  config.idle_timeout = std::chrono::milliseconds(400);
  TestServer server(config);
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  for (const char* target : {"/health", "/metrics", "/ready"}) {
    ClientResponse response;
    ASSERT_FALSE(client.request(make_request(bhttp::verb::get, target), response)) << target;
    EXPECT_EQ(response.result(), bhttp::status::ok) << target;
    EXPECT_TRUE(response.keep_alive());
  }
  // Pause shorter than the idle timeout: still open.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ClientResponse response;
  ASSERT_FALSE(client.request(make_request(bhttp::verb::get, "/health"), response));
  EXPECT_EQ(json::parse(response.body())["server"]["requests"].get<int>(), 4);

  const auto start = Clock::now();
  EXPECT_TRUE(closed_by_peer(client.wait_for_close(std::chrono::seconds(3))));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(300));
}

TEST(HttpLimits, ConnectionCloseRequestIsHonoured) {
  TestServer server;
  ASSERT_TRUE(server.start());
  TestClient client(server.port());
  ASSERT_FALSE(client.connect());
  ClientResponse response;
  ASSERT_FALSE(client.request(
      make_request(bhttp::verb::get, "/health", {{bhttp::field::connection, "close"}}), response));
  EXPECT_FALSE(response.keep_alive());
  const auto start = Clock::now();
  EXPECT_TRUE(closed_by_peer(client.wait_for_close(std::chrono::seconds(2))));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(250));
}

TEST(HttpLimits, ConnectionsOverTheCapGet503) {
  auto config = test_server_config();
  config.max_connections = 2;
  config.idle_timeout = std::chrono::seconds(5);
  TestServer server(config);
  ASSERT_TRUE(server.start());

  TestClient first(server.port());
  TestClient second(server.port());
  ClientResponse response;
  for (auto* client : {&first, &second}) {
    ASSERT_FALSE(client->connect());
    ASSERT_FALSE(client->request(make_request(bhttp::verb::get, "/health"), response));
    ASSERT_EQ(response.result(), bhttp::status::ok);
  }

  TestClient third(server.port());
  ASSERT_FALSE(third.connect());
  ASSERT_FALSE(third.request(make_request(bhttp::verb::get, "/health"), response));
  EXPECT_EQ(response.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(json::parse(response.body())["code"], 503);
  EXPECT_EQ(header(response, bhttp::field::retry_after), "1");
  EXPECT_FALSE(response.keep_alive());

  // Once a connection closes, a new one is served again (as soon as the server has seen the
  // close, which happens asynchronously).
  first.close();
  const auto metrics = get_when_served(server.port(), "/metrics");
  EXPECT_GE(sample(metrics, "observo_http_connections_rejected_total{reason=\"limit_503\"} "), 1)
      << metrics;
}

}  // namespace
}  // namespace observo::testing
