// Expiry gauges and start-up warnings for the certificates `observo server` serves with itself:
// server.tls (the HTTP server) and otlp.tls (the OTLP receivers of the beyla source). Pixie's
// client certificates are published by the Pixie source; these have no source of their own.
//
// Both sections are read once, when their TLS contexts are built at start (a renewed file needs
// a restart), so the gauges are built once and published without a time to live: they keep
// saying what the running process serves, even after the file on disk is replaced.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "observo/config/config.h"
#include "observo/metrics/hub.h"
#include "observo/metrics/snapshot.h"

namespace observo::cli {

// One configured certificate file that the running daemon uses.
struct CertificateFile {
  std::string source;   // the `source` label: "server" or "beyla"
  std::string section;  // "server.tls", "otlp.tls"
  std::string field;    // "cert_file", "client_ca_file"
  std::string path;

  std::string key() const { return section + "." + field; }    // as in the config file
  std::string label() const { return section + "/" + field; }  // the `cert` label
};

// server.tls when enabled; otlp.tls when otlp and its TLS are enabled. cert_file always,
// client_ca_file when set. The same rule the config loader checks the files by.
std::vector<CertificateFile> certificate_files_in_use(const config::Config& config);

struct CertificateGauges {
  metrics::Snapshot snapshot;         // one gauge family; one series per readable file
  std::vector<std::string> warnings;  // expired, expiring within a week, unreadable
};

// Reads every file in use and builds its series (the earliest notAfter in the file: a bundle
// stops working with its first certificate) and the warnings as of `now`.
CertificateGauges build_certificate_gauges(const config::Config& config,
                                           std::chrono::system_clock::time_point now);

// Builds the gauges as of now, logs each warning and publishes the series (when there are any)
// under the hub key "server/certificates". Never fails: an expiring or expired certificate is
// the operator's call, and the gauge and the alert make it visible.
void publish_certificate_gauges(metrics::Hub& hub, const config::Config& config);

}  // namespace observo::cli
