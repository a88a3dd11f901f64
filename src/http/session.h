// One HTTP connection, plain or TLS: the same code for both, templated on the stream type
// (beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>), running on the connection's own
// strand. The shape is Boost.Beast's advanced server: a fresh parser with header and body
// limits for every request, a timeout armed before every read and write, keep-alive, and the
// response decided by dispatch() (router.h).
//
// Timeouts: the TLS handshake and a request's header and body get server.read_timeout; the
// wait for the first byte of a following keep-alive request gets server.idle_timeout; each
// response gets server.write_timeout. A timed-out connection is closed without an answer.
//
// Limits: a header over max_header_bytes gets 431, a body over max_body_bytes 413, anything
// Beast cannot parse 400; each of those is answered with "Connection: close", after which the
// session stops sending and drains what the client is still sending for a moment (a "lingering
// close"), so the client can read the answer instead of seeing a reset.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http/responses.h"
#include "http/server_state.h"
#include "http/target.h"
#include "http/write_deadline.h"
#include "observo/http/router.h"

namespace observo::http {

template <class Stream>
class Session : public SessionControl, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

  template <class... StreamArgs>
  Session(ServerState& state, std::uint64_t id, Admission admission, std::string remote,
          StreamArgs&&... stream_args)
      : state_(state),
        id_(id),
        admission_(admission),
        remote_(std::move(remote)),
        stream_(std::forward<StreamArgs>(stream_args)...) {}

  ~Session() override { state_.release(id_, admission_); }

  void run() override {
    state_.attach(id_, this->weak_from_this());
    boost::asio::dispatch(stream_.get_executor(),
                          [self = this->shared_from_this()] { self->start(); });
  }

  void request_shutdown() override {
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->shutdown_requested_ = true;
      // Idle between requests, or already draining: nothing in flight to wait for.
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kClosing) self->close_socket();
    });
  }

  void force_close() override {
    boost::asio::post(stream_.get_executor(),
                      [self = this->shared_from_this()] { self->close_socket(); });
  }

 private:
  enum class Phase {
    kStarting,
    kHandshake,
    kIdle,
    kReading,
    kHandling,
    kWriting,
    kClosing,
    kClosed
  };

  static constexpr std::size_t kReadChunk = 4096;
  static constexpr std::chrono::milliseconds kMaxLinger{2000};
  static constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;
  static constexpr std::size_t kMaxLoggedPath = 200;

  using Clock = std::chrono::steady_clock;

  boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }
  const config::ServerConfig& config() const { return state_.config(); }

  void start() {
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      tcp().expires_after(config().read_timeout);
      stream_.async_handshake(
          boost::asio::ssl::stream_base::server,
          boost::beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
      wait_request();
    }
  }

  void on_handshake(boost::beast::error_code ec) {
    if (ec) {
      spdlog::debug("http: TLS handshake with {} failed: {}", remote_, ec.message());
      close_socket();
      return;
    }
    wait_request();
  }

  // Waits for the first byte of the next request: idle_timeout between keep-alive requests,
  // read_timeout for a connection's first request.
  void wait_request() {
    if (shutdown_requested_ || state_.stopping()) {
      graceful_close();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        config().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(config().max_body_bytes));
    if (buffer_.size() > 0) {  // pipelined: the next request is already here
      read_request();
      return;
    }
    phase_ = Phase::kIdle;
    tcp().expires_after(first_request_ ? config().read_timeout : config().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        boost::beast::bind_front_handler(&Session::on_first_bytes, this->shared_from_this()));
  }

  void on_first_bytes(boost::beast::error_code ec, std::size_t bytes) {
    buffer_.commit(bytes);
    if (ec) {
      if (ec == boost::beast::error::timeout) {
        spdlog::debug("http: {} closed after {} timeout", remote_,
                      first_request_ ? "read" : "idle");
      }
      close_socket();
      return;
    }
    read_request();
  }

  void read_request() {
    phase_ = Phase::kReading;
    first_request_ = false;
    tcp().expires_after(config().read_timeout);
    boost::beast::http::async_read(
        stream_, buffer_, *parser_,
        boost::beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(boost::beast::error_code ec, std::size_t) {
    namespace bhttp = boost::beast::http;
    started_ = Clock::now();
    method_ = "-";
    path_ = "-";
    if (!ec) {
      handle_request();
      return;
    }
    if (ec == bhttp::error::header_limit) {
      respond_error(bhttp::status::request_header_fields_too_large,
                    "request header too large (limit " + std::to_string(config().max_header_bytes) +
                        " bytes)");
    } else if (ec == bhttp::error::body_limit) {
      respond_error(
          bhttp::status::payload_too_large,
          "request body too large (limit " + std::to_string(config().max_body_bytes) + " bytes)");
    } else if (&ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      respond_error(bhttp::status::bad_request, "malformed request: " + ec.message());
    } else {
      if (ec == boost::beast::error::timeout) {
        spdlog::debug("http: {} closed after read timeout", remote_);
      }
      close_socket();
    }
  }

  void handle_request() {
    namespace bhttp = boost::beast::http;
    phase_ = Phase::kHandling;
    count_request();
    Request request = parser_->release();
    method_ = std::string(to_std(request.method_string()));
    path_ = std::string(parse_target(to_std(request.target())).path.substr(0, kMaxLoggedPath));
    Routed routed;
    try {
      if (admission_ == Admission::kReject) {
        routed.response =
            error_response(bhttp::status::service_unavailable,
                           "too many open connections; retry later", request.version());
        routed.response.set(bhttp::field::retry_after, "1");
        if (request.method() == bhttp::verb::head) make_head(routed.response);
        routed.response.keep_alive(false);
      } else {
        routed = dispatch(state_.context(), request);
      }
    } catch (...) {
      routed = {error_response(bhttp::status::internal_server_error, "internal error"),
                kHandlerOther};
      routed.response.keep_alive(false);
    }
    if (shutdown_requested_ || state_.stopping()) routed.response.keep_alive(false);
    if (routed.stream) {
      stream_response(std::move(routed));
      return;
    }
    write(std::move(routed.response), routed.handler);
  }

  // Sends routed.response's headers and the body routed.stream produces; see the file comment.
  void stream_response(Routed routed) {
    namespace bhttp = boost::beast::http;
    phase_ = Phase::kWriting;
    handler_ = routed.handler;
    response_ = std::move(routed.response);
    response_.body().clear();
    response_.erase(bhttp::field::content_length);
    const bool chunked = response_.version() >= 11;
    if (chunked) {
      response_.chunked(true);
    } else {
      response_.keep_alive(false);  // the end of the body is the end of the connection
    }
    bool header_sent = false;
    boost::beast::error_code write_error;
    std::size_t bytes = 0;
    std::optional<Response> failure;
    {
      WriteDeadline deadline(tcp().socket().native_handle(), config().write_timeout);
      const auto send = [&](auto&& write_some) {
        if (write_error) return false;
        deadline.arm();
        bytes += write_some(write_error);
        deadline.disarm();
        if (write_error && deadline.expired()) write_error = boost::beast::error::timeout;
        return !write_error;
      };
      const auto send_header = [&] {
        header_sent = true;
        state_.metrics().count(handler_, response_.result_int());
        bhttp::response_serializer<bhttp::string_body> serializer{response_};
        return send([&](boost::beast::error_code& ec) {
          return bhttp::write_header(stream_, serializer, ec);
        });
      };
      const BodyWriter writer = [&](std::string_view data) -> Result<void> {
        if (!header_sent) send_header();
        if (!data.empty()) {
          const auto buffer = boost::asio::const_buffer(data.data(), data.size());
          send([&](boost::beast::error_code& ec) {
            return chunked ? boost::asio::write(stream_, bhttp::make_chunk(buffer), ec)
                           : boost::asio::write(stream_, buffer, ec);
          });
        }
        if (write_error)
          return make_error("writing to the client failed: " + write_error.message());
        return {};
      };
      try {
        failure = routed.stream(writer);
      } catch (...) {
        failure = error_response(bhttp::status::internal_server_error, "internal error");
      }
      if (!failure) {
        if (!header_sent) send_header();
        if (chunked) {
          send([&](boost::beast::error_code& ec) {
            return boost::asio::write(stream_, bhttp::make_chunk_last(), ec);
          });
        }
      }
    }
    if (failure && !header_sent) {  // nothing sent yet: the error is the answer
      failure->version(response_.version());
      failure->keep_alive(response_.keep_alive());
      for (const auto& field : response_) {
        if (to_std(field.name_string()).starts_with("Access-Control-")) {
          failure->set(field.name_string(), field.value());
        }
      }
      write(std::move(*failure), handler_);
      return;
    }
    const unsigned status = response_.result_int();
    const std::chrono::duration<double> elapsed = Clock::now() - started_;
    state_.metrics().observe_duration(handler_, elapsed.count());
    spdlog::debug("http: {} {} {} -> {} streamed ({} bytes, {:.1f} ms)", remote_, method_, path_,
                  status, bytes, elapsed.count() * 1000);
    if (write_error || failure) {
      // The client got a truncated body; say why once, here.
      std::string reason = write_error ? write_error.message() : failure->body();
      while (!reason.empty() && reason.back() == '\n') reason.pop_back();
      spdlog::warn("http: streamed answer to {} {} {} cut short after {} bytes: {}", remote_,
                   method_, path_, bytes, reason);
      close_socket();
      return;
    }
    next_request_or_close();
  }

  // After a complete response: end the connection when the response said so, else read the
  // next request.
  void next_request_or_close() {
    const bool keep_alive = response_.keep_alive();
    response_ = {};
    if (!keep_alive) {
      graceful_close(linger_);
      return;
    }
    wait_request();
  }

  void respond_error(boost::beast::http::status status, std::string message) {
    Response response;
    try {
      response = error_response(status, message);
    } catch (...) {
      close_socket();
      return;
    }
    response.keep_alive(false);
    linger_ = true;  // the rest of the request may still be on its way
    count_request();
    write(std::move(response), kHandlerOther);
  }

  // Counted before routing, so a /health answer includes itself.
  void count_request() { state_.context().stats.requests.fetch_add(1, std::memory_order_relaxed); }

  void write(Response response, std::string_view handler) {
    phase_ = Phase::kWriting;
    handler_ = handler;
    response_ = std::move(response);
    state_.metrics().count(handler_, response_.result_int());
    tcp().expires_after(config().write_timeout);
    boost::beast::http::async_write(
        stream_, response_,
        boost::beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(boost::beast::error_code ec, std::size_t bytes) {
    const unsigned status = response_.result_int();
    const std::chrono::duration<double> elapsed = Clock::now() - started_;
    state_.metrics().observe_duration(handler_, elapsed.count());
    // Path only: query strings and headers (Authorization) are never logged.
    spdlog::debug("http: {} {} {} -> {} ({} bytes, {:.1f} ms)", remote_, method_, path_, status,
                  bytes, elapsed.count() * 1000);
    if (ec) {
      spdlog::debug("http: writing to {} failed: {}", remote_, ec.message());
      close_socket();
      return;
    }
    next_request_or_close();
  }

  // Ends the connection after a response. TLS: close_notify, waiting a moment for the peer's.
  // Plain: stop sending; when the client may still be sending (an error answered before its
  // request was read, or bytes already waiting), drain it for a moment ("lingering close") so
  // that it reads our answer instead of a reset.
  void graceful_close(bool linger = false) {
    phase_ = Phase::kClosing;
    const bool stopping = shutdown_requested_ || state_.stopping();
    const auto linger_time = std::min<std::chrono::milliseconds>(
        kMaxLinger, std::min(config().read_timeout, config().write_timeout));
    tcp().expires_after(linger_time);
    if constexpr (kTls) {
      if (stopping && !linger) {
        close_socket();
        return;
      }
      stream_.async_shutdown(
          [self = this->shared_from_this()](boost::beast::error_code) { self->close_socket(); });
    } else {
      boost::beast::error_code ec;
      tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
      const auto waiting = tcp().socket().available(ec);
      if (!linger && (ec || waiting == 0)) {
        close_socket();
        return;
      }
      buffer_.clear();
      drain();
    }
  }

  void drain() {
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t bytes) {
          self->buffer_.clear();
          self->drained_ += bytes;
          if (ec || self->drained_ > kMaxLingerBytes || self->phase_ == Phase::kClosed) {
            self->close_socket();
            return;
          }
          self->drain();
        });
  }

  void close_socket() {
    phase_ = Phase::kClosed;
    boost::beast::error_code ec;
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    tcp().close();
  }

  ServerState& state_;
  const std::uint64_t id_;
  const Admission admission_;
  const std::string remote_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Response response_;

  Phase phase_ = Phase::kStarting;
  bool first_request_ = true;
  bool shutdown_requested_ = false;
  bool linger_ = false;
  std::size_t drained_ = 0;
  Clock::time_point started_ = Clock::now();
  std::string_view handler_ = kHandlerOther;
  std::string method_ = "-";
  std::string path_ = "-";
};

}  // namespace observo::http
