#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string>

namespace observo::http {

namespace ssl = boost::asio::ssl;

namespace {

std::string describe(const std::string& what, const std::string& path,
                     const boost::system::error_code& ec) {
  return what + " " + path + ": " + ec.message();
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const config::TlsServerConfig& tls) {
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return make_error("server.tls: cert_file and key_file are required when TLS is enabled");
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
  if (ec) return make_error("server.tls: cannot set TLS options: " + ec.message());

  context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) return make_error(describe("server.tls.cert_file: cannot load", tls.cert_file, ec));
  context->use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (ec) return make_error(describe("server.tls.key_file: cannot load", tls.key_file, ec));
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return make_error("server.tls.key_file: " + tls.key_file +
                      " does not match the certificate in " + tls.cert_file);
  }

  if (!tls.client_ca_file.empty()) {
    context->load_verify_file(tls.client_ca_file, ec);
    if (ec) {
      return make_error(describe("server.tls.client_ca_file: cannot load", tls.client_ca_file, ec));
    }
    // Tell clients which CAs are acceptable, so they pick the right certificate.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(context->native_handle(), names);
    }
    ERR_clear_error();
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return make_error("server.tls: cannot require client certificates: " + ec.message());
  }
  return context;
}

}  // namespace observo::http
