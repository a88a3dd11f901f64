#include "test_client.h"

#include <openssl/ssl.h>
#include <zlib.h>

#include <limits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace observo::testing {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

TestClient::TestClient(std::uint16_t port, std::optional<TlsClientOptions> tls,
                       std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {
  if (!tls) {
    plain_ = std::make_unique<beast::tcp_stream>(io_);
    return;
  }
  tls_context_.emplace(net::ssl::context::tls_client);
  if (!tls->ca_file.empty()) {
    tls_context_->load_verify_file(tls->ca_file);
    tls_context_->set_verify_mode(net::ssl::verify_peer);
  }
  if (!tls->cert_file.empty()) {
    tls_context_->use_certificate_chain_file(tls->cert_file);
    tls_context_->use_private_key_file(tls->key_file, net::ssl::context::pem);
  }
  tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, *tls_context_);
  tls_->set_verify_callback(net::ssl::host_name_verification("localhost"));
  SSL_set_tlsext_host_name(tls_->native_handle(), "localhost");
}

TestClient::~TestClient() { close(); }

beast::tcp_stream& TestClient::tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

template <class Operation>
beast::error_code TestClient::run(Operation&& operation) {
  beast::error_code result = net::error::would_block;
  tcp().expires_after(timeout_);
  operation([&result](beast::error_code ec, auto&&...) { result = ec; });
  io_.restart();
  io_.run();
  return result;
}

beast::error_code TestClient::connect() {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port_);
  auto ec = run([&](auto handler) { tcp().async_connect(endpoint, handler); });
  if (ec || !tls_) return ec;
  return run([&](auto handler) {
    tls_->async_handshake(net::ssl::stream_base::client,
                          [handler](beast::error_code e) mutable { handler(e); });
  });
}

beast::error_code TestClient::write_raw(std::string_view bytes) {
  return run([&](auto handler) {
    if (tls_) {
      net::async_write(*tls_, net::buffer(bytes.data(), bytes.size()), handler);
    } else {
      net::async_write(*plain_, net::buffer(bytes.data(), bytes.size()), handler);
    }
  });
}

beast::error_code TestClient::send(ClientRequest request) {
  request.set(bhttp::field::host, "localhost");
  request.prepare_payload();
  return run([&](auto handler) {
    if (tls_) {
      bhttp::async_write(*tls_, request, handler);
    } else {
      bhttp::async_write(*plain_, request, handler);
    }
  });
}

beast::error_code TestClient::receive(ClientResponse& response, bool head) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.header_limit(1024 * 1024);
  if (head) parser.skip(true);
  auto ec = run([&](auto handler) {
    if (tls_) {
      bhttp::async_read(*tls_, buffer_, parser, handler);
    } else {
      bhttp::async_read(*plain_, buffer_, parser, handler);
    }
  });
  if (!ec) response = parser.release();
  return ec;
}

beast::error_code TestClient::request(ClientRequest request, ClientResponse& response) {
  const bool head = request.method() == bhttp::verb::head;
  if (auto ec = send(std::move(request))) return ec;
  return receive(response, head);
}

beast::error_code TestClient::wait_for_close(std::chrono::milliseconds within) {
  const auto saved = timeout_;
  timeout_ = within;
  beast::error_code ec;
  char scratch[4096];
  while (!ec) {
    ec = run([&](auto handler) {
      if (tls_) {
        tls_->async_read_some(net::buffer(scratch), handler);
      } else {
        plain_->async_read_some(net::buffer(scratch), handler);
      }
    });
  }
  timeout_ = saved;
  return ec;
}

void TestClient::close() {
  beast::error_code ignored;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp().close();
}

ClientRequest make_request(bhttp::verb method, std::string target, const Headers& headers) {
  ClientRequest request{method, target, 11};
  for (const auto& [field, value] : headers) request.set(field, value);
  return request;
}

ClientResponse fetch(std::uint16_t port, ClientRequest request, beast::error_code* ec_out,
                     std::optional<TlsClientOptions> tls) {
  TestClient client(port, std::move(tls));
  ClientResponse response;
  response.result(0);
  auto ec = client.connect();
  if (!ec) ec = client.request(std::move(request), response);
  if (ec_out != nullptr) *ec_out = ec;
  return response;
}

ClientResponse get(std::uint16_t port, std::string target, const Headers& headers) {
  return fetch(port, make_request(bhttp::verb::get, std::move(target), headers));
}

std::optional<std::string> gunzip(std::string_view compressed) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[16384];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - stream.avail_out);
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace observo::testing
