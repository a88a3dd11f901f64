#include "cli/certificate_gauges.h"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <optional>
#include <utility>

#include "common/pem.h"
#include "common/read_file.h"
#include "observo/metrics/certificate_expiry.h"

namespace observo::cli {
namespace {

void add_section(std::vector<CertificateFile>& files, const config::TlsServerConfig& tls,
                 const std::string& source, const std::string& section) {
  if (!tls.enabled) return;
  if (!tls.cert_file.empty()) files.push_back({source, section, "cert_file", tls.cert_file});
  if (!tls.client_ca_file.empty()) {
    files.push_back({source, section, "client_ca_file", tls.client_ca_file});
  }
}

std::optional<std::int64_t> earliest_not_after_in(const std::string& path) {
  const auto text = common::read_file(path);
  if (!text) return std::nullopt;
  return pem::earliest_not_after(*text);
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// The warning for a certificate expiring at `not_after`, empty when there is more than a week.
std::optional<std::string> expiry_warning(const CertificateFile& file, std::int64_t not_after,
                                          std::int64_t now) {
  const auto expiry = pem::expiry_at(not_after, now);
  if (expiry == pem::Expiry::kValid) return std::nullopt;
  return file.key() + ": the certificate in '" + file.path + "' " +
         std::string(pem::describe(expiry));
}

metrics::Series expiry_series(const CertificateFile& file, std::int64_t not_after) {
  metrics::Series series;
  series.labels = metrics::make_labels({{"source", file.source}, {"cert", file.label()}});
  series.value = static_cast<double>(not_after);
  return series;
}

}  // namespace

std::vector<CertificateFile> certificate_files_in_use(const config::Config& config) {
  std::vector<CertificateFile> files;
  add_section(files, config.server.tls, "server", "server.tls");
  // The OTLP receivers, and so their TLS, exist only while the beyla source runs.
  if (config.otlp.enabled) add_section(files, config.otlp.tls, "beyla", "otlp.tls");
  return files;
}

CertificateGauges build_certificate_gauges(const config::Config& config,
                                           std::chrono::system_clock::time_point now) {
  CertificateGauges gauges;
  metrics::Family family{std::string(metrics::kCertificateExpiryFamily),
                         std::string(metrics::kCertificateExpiryHelp),
                         metrics::MetricType::kGauge,
                         {}};
  const auto now_seconds = unix_seconds(now);
  for (const auto& file : certificate_files_in_use(config)) {
    const auto not_after = earliest_not_after_in(file.path);
    if (!not_after) {
      // The loader has checked the file already; it changed since. No series rather than a
      // made-up date.
      gauges.warnings.push_back(file.key() + ": cannot read the expiry of the certificates in '" +
                                file.path + "'");
      continue;
    }
    family.series.push_back(expiry_series(file, *not_after));
    if (auto warning = expiry_warning(file, *not_after, now_seconds)) {
      gauges.warnings.push_back(std::move(*warning));
    }
  }
  gauges.snapshot.families.push_back(std::move(family));
  return gauges;
}

void publish_certificate_gauges(metrics::Hub& hub, const config::Config& config) {
  auto gauges = build_certificate_gauges(config, std::chrono::system_clock::now());
  for (const auto& warning : gauges.warnings) spdlog::warn("{}", warning);
  if (gauges.snapshot.families.front().series.empty()) return;
  hub.publish("server/certificates", std::move(gauges.snapshot));
}

}  // namespace observo::cli
