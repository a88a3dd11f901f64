#include "common/http_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

namespace observo::common {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "cannot load CA file /x: No such file or directory" rather than asio's "asio.ssl error".
std::string load_error(const char* what, const std::string& path,
                       const boost::system::error_code& ec) {
  std::string reason = ec.message();
  if (std::ifstream probe(path); !probe) {
    reason = std::strerror(errno);
  } else if (ec.category() == net::error::get_ssl_category()) {
    const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (text != nullptr) reason = text;
  }
  return "cannot load " + std::string(what) + " " + path + ": " + reason;
}

}  // namespace

std::string Url::host_header() const {
  const bool default_port =
      (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + port;
}

Result<Url> parse_url(const std::string& text) {
  Url url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return make_error("not a URL: " + text);
  url.scheme = text.substr(0, scheme_end);
  if (url.scheme != "https" && url.scheme != "http")
    return make_error("unsupported scheme in " + text);
  const auto rest = text.substr(scheme_end + 3);
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  url.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return make_error("bad IPv6 host in " + text);
    url.host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    url.port = authority.size() > 1 && authority[0] == ':' ? authority.substr(1) : "";
  } else {
    const auto colon = authority.find(':');
    url.host = authority.substr(0, colon);
    url.port = colon == std::string::npos ? "" : authority.substr(colon + 1);
  }
  if (url.host.empty()) return make_error("no host in " + text);
  if (url.port.empty()) url.port = url.scheme == "https" ? "443" : "80";
  return url;
}

std::string HttpResponse::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

struct HttpClient::Impl {
  explicit Impl(HttpClientOptions o) : options(std::move(o)), tls(ssl::context::tls_client) {
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls.set_verify_mode(options.skip_verify ? ssl::verify_none : ssl::verify_peer);
    boost::system::error_code ec;
    if (options.ca_file.empty()) {
      tls.set_default_verify_paths(ec);
    } else {
      tls.load_verify_file(options.ca_file, ec);
      if (ec) ca_error = load_error("CA file", options.ca_file, ec);
    }
    if (ca_error.empty() && !options.client_cert.empty()) {
      tls.use_certificate_chain_file(options.client_cert, ec);
      if (ec) ca_error = load_error("client certificate", options.client_cert, ec);
    }
    if (ca_error.empty() && !options.client_key.empty()) {
      tls.use_private_key_file(options.client_key, ssl::context::pem, ec);
      if (ec) ca_error = load_error("client key", options.client_key, ec);
    }
  }

  void close() {
    plain.reset();
    secure.reset();
    connected_key.clear();
  }

  Result<void> connect(const Url& url) {
    close();
    tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) return make_error("cannot resolve " + url.host + ": " + ec.message());
    if (url.scheme == "https") {
      if (!ca_error.empty()) return make_error(ca_error);
      secure.emplace(io, tls);
      if (!SSL_set_tlsext_host_name(secure->native_handle(), url.host.c_str())) {
        return make_error("cannot set SNI for " + url.host);
      }
      if (!options.skip_verify) {
        secure->set_verify_callback(ssl::host_name_verification(url.host));
      }
    } else {
      plain.emplace(io);
    }
    auto& layer = secure ? beast::get_lowest_layer(*secure) : *plain;
    layer.expires_after(options.connect_timeout);
    layer.async_connect(endpoints,
                        [&](const boost::system::error_code& e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec)
      return make_error("cannot connect to " + url.host + ":" + url.port + ": " + ec.message());
    if (secure) {
      layer.expires_after(options.connect_timeout);
      secure->async_handshake(ssl::stream_base::client,
                              [&](const boost::system::error_code& e) { ec = e; });
      run();
      if (ec) return make_error("TLS handshake with " + url.host + " failed: " + ec.message());
    }
    connected_key = url.scheme + "://" + url.host + ":" + url.port;
    ++opened;
    return {};
  }

  void run() {
    io.restart();
    io.run();
  }

  Result<HttpResponse> exchange(http::request<http::string_body>& req) {
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    auto& layer = secure ? beast::get_lowest_layer(*secure) : *plain;
    layer.expires_after(options.request_timeout);
    auto on_read = [&](const boost::system::error_code& e, std::size_t) { ec = e; };
    auto on_write = [&](const boost::system::error_code& e, std::size_t) {
      ec = e;
      if (e) return;
      if (secure) {
        http::async_read(*secure, buffer, parser, on_read);
      } else {
        http::async_read(*plain, buffer, parser, on_read);
      }
    };
    if (secure) {
      http::async_write(*secure, req, on_write);
    } else {
      http::async_write(*plain, req, on_write);
    }
    run();
    if (ec) {
      close();
      return make_error(ec.message());
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) close();
    return out;
  }

  HttpClientOptions options;
  net::io_context io;
  ssl::context tls;
  std::string ca_error;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::optional<beast::tcp_stream> plain;
  std::string connected_key;
  std::size_t opened = 0;
};

HttpClient::HttpClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

std::size_t HttpClient::connections_opened() const { return impl_->opened; }
const std::string& HttpClient::tls_error() const { return impl_->ca_error; }

Result<HttpResponse> HttpClient::request(const std::string& method, const Url& url,
                                         const HeaderList& headers, const std::string& body) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(url.target);
  req.version(11);
  bool has_host = false;
  for (const auto& [name, value] : headers) {
    has_host = has_host || iequals(name, "host");
    req.insert(name, value);
  }
  if (!has_host) req.set(http::field::host, url.host_header());
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();

  const std::string key = url.scheme + "://" + url.host + ":" + url.port;
  const bool reused = impl_->connected_key == key;
  if (!reused) {
    if (auto connected = impl_->connect(url); !connected) return make_error(connected.error());
  }
  auto response = impl_->exchange(req);
  if (!response && reused) {
    // The server may have closed the idle connection: one fresh attempt.
    if (auto connected = impl_->connect(url); !connected) return make_error(connected.error());
    response = impl_->exchange(req);
  }
  if (!response) return make_error(method + " " + key + url.target + ": " + response.error());
  return response;
}

}  // namespace observo::common
