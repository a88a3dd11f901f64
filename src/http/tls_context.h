// The server's TLS context, built once at start from server.tls: certificate chain, private
// key, and (when client_ca_file is set) mandatory client-certificate verification. Every
// failure is returned with the file it concerns, so a bad path stops start() with a message
// instead of failing each handshake later.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "observo/common/result.h"
#include "observo/config/config.h"

namespace observo::http {

Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const config::TlsServerConfig& tls);

}  // namespace observo::http
