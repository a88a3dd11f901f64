// observo_certificate_expiry_timestamp_seconds for the certificates `observo server` serves
// with itself (server.tls, otlp.tls), through the real binary: each series carries the earliest
// notAfter of its file, computed here independently of the daemon's PEM code, and the start-up
// log warns about certificates that expire within a week (the test certificates live 2 days).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "pixie/run_observo.h"
#include "support/test_certs.h"
#include "support/test_client.h"

namespace observo::testing {
namespace {

namespace bhttp = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kFamily = "observo_certificate_expiry_timestamp_seconds";

// Every certificate's notAfter as seconds since the epoch by ASN1_TIME_diff (the daemon goes
// through ASN1_TIME_to_tm and timegm), the earliest of them; nullopt when none can be read.
std::optional<std::int64_t> earliest_not_after_of(const std::string& path) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "r"), &std::fclose);
  if (!file) return std::nullopt;
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> epoch(ASN1_TIME_set(nullptr, 0),
                                                              &ASN1_TIME_free);
  std::optional<std::int64_t> earliest;
  while (X509* raw = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) {
    std::unique_ptr<X509, decltype(&X509_free)> cert(raw, &X509_free);
    int days = 0;
    int seconds = 0;
    if (ASN1_TIME_diff(&days, &seconds, epoch.get(), X509_get0_notAfter(cert.get())) != 1) {
      return std::nullopt;
    }
    const std::int64_t not_after = std::int64_t{days} * 86400 + seconds;
    if (!earliest || not_after < *earliest) earliest = not_after;
  }
  ERR_clear_error();  // the end of the file reads as an error
  return earliest;
}

// The value of the series with these labels in a Prometheus text page; nullopt when absent.
std::optional<double> series_value(const std::string& page, const std::string& source,
                                   const std::string& cert) {
  const std::string head =
      std::string(kFamily) + "{cert=\"" + cert + "\",source=\"" + source + "\"} ";
  const auto at = page.find(head);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(page.substr(at + head.size(), page.find('\n', at) - at - head.size()));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class CertificateExpiry : public ::testing::Test {
 protected:
  void SetUp() override {
    if (observo_binary().empty()) GTEST_SKIP() << "the observo binary is not built";
    std::string error;
    certs_ = TestCerts::generate(&error);
    if (!certs_) GTEST_SKIP() << "cannot generate test certificates: " << error;
  }

  // A CA bundle whose first certificate outlives the test CA's (30 days against 2): the series
  // must carry the earliest notAfter, not the first one's.
  std::string client_ca_bundle() {
    const std::string other = dir_.path("other-ca.crt");
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30"
        " -subj '/CN=observo other CA' -keyout " +
        dir_.path("other-ca.key") + " -out " + other + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) return {};
    return dir_.write("client-ca-bundle.crt", slurp(other) + slurp(certs_->ca_cert()));
  }

  std::optional<TestCerts> certs_;
  ScratchDir dir_;
};

TEST_F(CertificateExpiry, ServerTlsFilesOverMutualTls) {
  const auto bundle = client_ca_bundle();
  if (bundle.empty()) GTEST_SKIP() << "openssl could not make a second CA";
  // otlp.tls is configured but the OTLP receivers are off: no beyla series.
  const auto cfg =
      dir_.write("observo.yaml",
                 "server:\n  tls:\n    enabled: true\n    cert_file: " + certs_->server_cert() +
                     "\n    key_file: " + certs_->server_key() + "\n    client_ca_file: " + bundle +
                     "\notlp:\n  enabled: false\n  tls:\n    enabled: true\n    cert_file: " +
                     certs_->server_cert() + "\n    key_file: " + certs_->server_key() + "\n");
  ObservoServer server(cfg);
  ASSERT_TRUE(server.started()) << server.log();
  const auto port = server.port();

  boost::beast::error_code ec;
  const TlsClientOptions tls{certs_->ca_cert(), certs_->client_cert(), certs_->client_key()};
  const auto response =
      fetch(port, make_request(bhttp::verb::get, "/metrics", {{bhttp::field::host, "localhost"}}),
            &ec, tls);
  ASSERT_FALSE(ec) << ec.message() << "\n" << server.log();
  ASSERT_EQ(response.result(), bhttp::status::ok);
  const auto& page = response.body();

  const auto cert_expected = earliest_not_after_of(certs_->server_cert());
  const auto ca_expected = earliest_not_after_of(bundle);
  const auto other_expected = earliest_not_after_of(dir_.path("other-ca.crt"));
  ASSERT_TRUE(cert_expected && ca_expected && other_expected);
  ASSERT_LT(*ca_expected, *other_expected);  // the bundle's earliest is its second certificate
  EXPECT_EQ(series_value(page, "server", "server.tls/cert_file"),
            static_cast<double>(*cert_expected))
      << page;
  EXPECT_EQ(series_value(page, "server", "server.tls/client_ca_file"),
            static_cast<double>(*ca_expected))
      << page;
  EXPECT_THAT(page, Not(HasSubstr("source=\"beyla\"")));
  EXPECT_THAT(page, HasSubstr(std::string("# TYPE ") + kFamily + " gauge\n"));

  const auto log = server.log();
  EXPECT_THAT(log, HasSubstr("server.tls.cert_file: the certificate in '" + certs_->server_cert() +
                             "' expires in less than 7 days"));
  EXPECT_THAT(log, HasSubstr("server.tls.client_ca_file: the certificate in '" + bundle +
                             "' expires in less than 7 days"));
  EXPECT_EQ(server.stop(), 0) << log;
}

TEST_F(CertificateExpiry, OtlpTlsFilesAreTheBeylaSource) {
  const auto cfg = dir_.write(
      "observo.yaml",
      "otlp:\n  enabled: true\n  grpc_listen: \"127.0.0.1:0\"\n  http_listen: \"127.0.0.1:0\"\n"
      "  tls:\n    enabled: true\n    cert_file: " +
          certs_->server_cert() + "\n    key_file: " + certs_->server_key() +
          "\n    client_ca_file: " + certs_->ca_cert() + "\n");
  ObservoServer server(cfg);
  ASSERT_TRUE(server.started()) << server.log();
  const auto answer = http_request(server.port(), "GET", "/metrics");
  ASSERT_EQ(answer.status, 200) << server.log();

  const auto cert_expected = earliest_not_after_of(certs_->server_cert());
  const auto ca_expected = earliest_not_after_of(certs_->ca_cert());
  ASSERT_TRUE(cert_expected && ca_expected);
  EXPECT_EQ(series_value(answer.body, "beyla", "otlp.tls/cert_file"),
            static_cast<double>(*cert_expected))
      << answer.body;
  EXPECT_EQ(series_value(answer.body, "beyla", "otlp.tls/client_ca_file"),
            static_cast<double>(*ca_expected))
      << answer.body;
  EXPECT_THAT(answer.body, Not(HasSubstr("source=\"server\"")));  // server.tls is off

  const auto log = server.log();
  EXPECT_THAT(log, HasSubstr("otlp.tls.cert_file: the certificate in '" + certs_->server_cert() +
                             "' expires in less than 7 days"));
  EXPECT_THAT(log, HasSubstr("otlp.tls.client_ca_file: the certificate in '" + certs_->ca_cert() +
                             "' expires in less than 7 days"));
  EXPECT_EQ(server.stop(), 0) << log;
}

}  // namespace
}  // namespace observo::testing
