// Checks the server's TLS files at load time: a missing, unreadable or mismatched certificate
// should stop `observo server` with a message naming the key and the file, not surface later as
// a handshake failure that every client sees differently.
#pragma once

#include "config/origin.h"
#include "observo/config/config.h"

namespace observo::config::detail {

// For server.tls, and otlp.tls when the OTLP receivers run, if enabled: cert_file and key_file
// are set, hold PEM data that OpenSSL reads, and the key belongs to the certificate;
// client_ca_file, when set, holds at least one certificate.
// Throws LoadError.
void check_tls_files(const Config& config, const Origins& origins);

}  // namespace observo::config::detail
