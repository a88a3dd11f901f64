// The sockets of the OTLP/HTTP receiver (routing and status codes: http_export.cpp).
#include "sources/beyla/http_receiver.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "sources/beyla/grpc_receiver.h"

namespace observo::beyla {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;
using UnixStream = beast::basic_stream<local, asio::any_io_executor, beast::unlimited_rate_policy>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::chrono::seconds kReadTimeout{30};
constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr std::chrono::seconds kDrainTime{2};
constexpr std::size_t kMaxDrainBytes = 64 * 1024 * 1024;

template <class Stream>
auto& lowest(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

// One connection: (TLS handshake,) then request after request until the peer closes, a timeout
// fires, or a response says close.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class... Args>
  Session(ReceiverContext& context, std::atomic<int>& open, Args&&... args)
      : context_(context), open_(open), stream_(std::forward<Args>(args)...) {}
  ~Session() { open_.fetch_sub(1, std::memory_order_relaxed); }

  void run() {
    if constexpr (kTls) {
      lowest(stream_).expires_after(kReadTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              beast::bind_front_handler(&Session::on_handshake, self()));
    } else {
      read_header();
    }
  }

 private:
  std::shared_ptr<Session> self() { return this->shared_from_this(); }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      spdlog::debug("otlp http: TLS handshake failed: {}", ec.message());
      return;
    }
    read_header();
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(context_.max_message_bytes);
    lowest(stream_).expires_after(first_ ? kReadTimeout : kIdleTimeout);
    first_ = false;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, self()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    // Beast already refuses a Content-Length over the body limit while parsing the header.
    if (ec == http::error::body_limit) return refuse_too_large();
    if (ec) return close(ec);
    const auto length = parser_->content_length();
    if (length && *length > context_.max_message_bytes) return refuse_too_large();
    // curl and others wait for "100 Continue" before sending a body of more than 1 KiB.
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      lowest(stream_).expires_after(kWriteTimeout);
      http::async_write(stream_, continue_, [keep = self()](beast::error_code ec2, std::size_t) {
        if (ec2) return keep->close(ec2);
        keep->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest(stream_).expires_after(kReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_body, self()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) return refuse_too_large();
    if (ec) return close(ec);
    write(handle_otlp_http(context_, parser_->get()));
  }

  // 413 without reading the body; the connection closes after it.
  void refuse_too_large() {
    draining_ = true;
    write(too_large_response(context_, parser_->get()));
  }

  // After an early 413 the client is usually still sending the body: read and discard it for a
  // while (bounded in time and bytes) so that closing does not reset the connection and destroy
  // the 413 before the client reads it.
  void drain() {
    if (drained_ > kMaxDrainBytes) return close({});
    stream_.async_read_some(asio::buffer(discard_),
                            [keep = self()](beast::error_code ec, std::size_t bytes) {
                              keep->drained_ += bytes;
                              if (ec) return keep->close({});
                              keep->drain();
                            });
  }

  void write(HttpResponse response) {
    response_ = std::move(response);
    lowest(stream_).expires_after(kWriteTimeout);
    http::async_write(stream_, response_, beast::bind_front_handler(&Session::on_write, self()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return close(ec);
    if (draining_) {
      beast::error_code ignored;
      lowest(stream_).socket().shutdown(asio::socket_base::shutdown_send, ignored);
      lowest(stream_).expires_after(kDrainTime);
      return drain();
    }
    if (!response_.keep_alive()) return close({});
    read_header();
  }

  void close(beast::error_code ec) {
    if (ec && ec != http::error::end_of_stream && ec != asio::error::eof &&
        ec != beast::error::timeout) {
      spdlog::debug("otlp http: connection closed: {}", ec.message());
    }
    if constexpr (kTls) {
      lowest(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([keep = self()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      lowest(stream_).socket().shutdown(asio::socket_base::shutdown_send, ignored);
    }
  }

  ReceiverContext& context_;
  std::atomic<int>& open_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpResponse response_;
  http::response<http::empty_body> continue_{http::status::continue_, 11};
  bool first_ = true;
  bool draining_ = false;
  std::size_t drained_ = 0;
  std::array<char, 16 * 1024> discard_{};
};

Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const config::TlsServerConfig& tls) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
  beast::error_code ec;
  context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) return make_error("otlp.tls.cert_file: cannot load " + tls.cert_file);
  context->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) return make_error("otlp.tls.key_file: cannot load " + tls.key_file);
  if (!tls.client_ca_file.empty()) {
    context->load_verify_file(tls.client_ca_file, ec);
    if (ec) return make_error("otlp.tls.client_ca_file: cannot load " + tls.client_ca_file);
    context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

Result<tcp::endpoint> parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return make_error("otlp.http_listen: expected host:port");
  auto host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return make_error("otlp.http_listen: \"" + host + "\" is not an IP address");
  unsigned long port = 0;
  try {
    port = std::stoul(listen.substr(colon + 1));
  } catch (...) {
    port = 65536;
  }
  if (port > 65535) return make_error("otlp.http_listen: bad port in \"" + listen + "\"");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace

struct HttpReceiver::Impl {
  explicit Impl(ReceiverContext& context) : context(context) {}

  template <class Acceptor, class MakeSession>
  void accept(Acceptor& acceptor, MakeSession make_session) {
    acceptor.async_accept(asio::make_strand(io),
                          [this, &acceptor, make_session](beast::error_code ec, auto socket) {
                            if (ec == asio::error::operation_aborted) return;
                            if (!ec) {
                              if (open.fetch_add(1, std::memory_order_relaxed) >= kMaxConnections) {
                                open.fetch_sub(1, std::memory_order_relaxed);
                                log_refused();
                              } else {
                                make_session(std::move(socket))->run();
                              }
                            }
                            accept(acceptor, make_session);
                          });
  }

  void log_refused() {
    if (!refused_logged.exchange(true)) {
      spdlog::warn("otlp http: more than {} open connections; refusing new ones", kMaxConnections);
    }
  }

  ReceiverContext& context;
  std::atomic<int> open{0};
  std::atomic<bool> refused_logged{false};
  std::shared_ptr<asio::ssl::context> tls;
  std::string unix_path;
  std::uint16_t port = 0;
  asio::io_context io;
  std::optional<tcp::acceptor> tcp_acceptor;
  std::optional<local::acceptor> unix_acceptor;
  std::vector<std::thread> threads;
};

HttpReceiver::HttpReceiver(ReceiverContext& context) : impl_(std::make_unique<Impl>(context)) {}

HttpReceiver::~HttpReceiver() { stop(); }

std::uint16_t HttpReceiver::port() const { return impl_->port; }

Result<void> HttpReceiver::start(const config::OtlpConfig& config) {
  auto& impl = *impl_;
  if (config.tls.enabled) {
    auto tls = make_tls_context(config.tls);
    if (!tls) return make_error(tls.error());
    impl.tls = std::move(*tls);
  }
  if (!config.http_listen.empty()) {
    auto endpoint = parse_listen(config.http_listen);
    if (!endpoint) return make_error(endpoint.error());
    beast::error_code ec;
    impl.tcp_acceptor.emplace(impl.io);
    impl.tcp_acceptor->open(endpoint->protocol(), ec);
    if (!ec) impl.tcp_acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl.tcp_acceptor->bind(*endpoint, ec);
    if (!ec) impl.tcp_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      impl.tcp_acceptor.reset();
      return make_error("otlp.http_listen: cannot listen on " + config.http_listen + ": " +
                        ec.message());
    }
    impl.port = impl.tcp_acceptor->local_endpoint().port();
    spdlog::info("otlp http receiver listening on {}:{}{}", endpoint->address().to_string(),
                 impl.port, config.tls.enabled ? " (tls)" : "");
  }
  if (!config.http_unix_socket.empty()) {
    if (auto removed = remove_stale_socket(config.http_unix_socket, "otlp.http_unix_socket");
        !removed) {
      return removed;
    }
    beast::error_code ec;
    impl.unix_acceptor.emplace(impl.io);
    impl.unix_acceptor->open(local(), ec);
    if (!ec) impl.unix_acceptor->bind(local::endpoint(config.http_unix_socket), ec);
    if (!ec) impl.unix_acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      impl.unix_acceptor.reset();
      return make_error("otlp.http_unix_socket: cannot listen on " + config.http_unix_socket +
                        ": " + ec.message());
    }
    impl.unix_path = config.http_unix_socket;
    spdlog::info("otlp http receiver listening on unix:{}", config.http_unix_socket);
  }
  if (impl.tcp_acceptor) {
    if (impl.tls) {
      impl.accept(*impl.tcp_acceptor, [&impl](tcp::socket socket) {
        return std::make_shared<Session<TlsStream>>(impl.context, impl.open, std::move(socket),
                                                    *impl.tls);
      });
    } else {
      impl.accept(*impl.tcp_acceptor, [&impl](tcp::socket socket) {
        return std::make_shared<Session<beast::tcp_stream>>(impl.context, impl.open,
                                                            std::move(socket));
      });
    }
  }
  if (impl.unix_acceptor) {
    impl.accept(*impl.unix_acceptor, [&impl](local::socket socket) {
      return std::make_shared<Session<UnixStream>>(impl.context, impl.open, std::move(socket));
    });
  }
  for (int i = 0; i < 2; ++i) impl.threads.emplace_back([&impl] { impl.io.run(); });
  return {};
}

void HttpReceiver::stop() {
  auto& impl = *impl_;
  if (impl.threads.empty() && !impl.tcp_acceptor && !impl.unix_acceptor) return;
  impl.io.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  impl.tcp_acceptor.reset();
  impl.unix_acceptor.reset();
  if (!impl.unix_path.empty()) {
    ::unlink(impl.unix_path.c_str());
    impl.unix_path.clear();
  }
}

}  // namespace observo::beyla
