// The certificate expiry gauges of `observo server` (server.tls, otlp.tls): which series exist
// for which configuration, their values, and the start-up warnings, against certificates made
// here with OpenSSL.
#include "cli/certificate_gauges.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <sstream>

#include "../config/config_test_util.h"
#include "../support/test_certificates.h"
#include "observo/metrics/certificate_expiry.h"

namespace observo::cli {
namespace {

using ::observo::testing::make_self_signed;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using Clock = std::chrono::system_clock;

constexpr std::int64_t kDay = 86400;

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

Clock::time_point at_unix(std::int64_t seconds) {
  return Clock::time_point(std::chrono::seconds(seconds));
}

// (source, cert) -> value of every series in the one family.
std::map<std::pair<std::string, std::string>, double> series_of(const CertificateGauges& gauges) {
  EXPECT_EQ(gauges.snapshot.families.size(), 1u);
  std::map<std::pair<std::string, std::string>, double> out;
  if (gauges.snapshot.families.empty()) return out;
  const auto& family = gauges.snapshot.families.front();
  EXPECT_EQ(family.name, metrics::kCertificateExpiryFamily);
  EXPECT_EQ(family.help, metrics::kCertificateExpiryHelp);
  EXPECT_EQ(family.type, metrics::MetricType::kGauge);
  for (const auto& series : family.series) {
    std::string source;
    std::string cert;
    for (const auto& label : series.labels) {
      if (label.name == "source") source = label.value;
      if (label.name == "cert") cert = label.value;
    }
    EXPECT_EQ(series.labels.size(), 2u);
    out[{source, cert}] = series.value;
  }
  return out;
}

class CertificateGaugesTest : public ::testing::Test {
 protected:
  // A self-signed certificate valid from now for `seconds`, written to `name`.
  std::string cert_file(const std::string& name, std::int64_t seconds) {
    return dir_.write(name, make_self_signed(name, {.valid_for_seconds = seconds}).cert);
  }

  static void enable_tls(config::TlsServerConfig& tls, const std::string& cert,
                         const std::string& client_ca = "") {
    tls.enabled = true;
    tls.cert_file = cert;
    tls.key_file = "/unused/key.pem";  // the gauges never read keys
    tls.client_ca_file = client_ca;
  }

  config::testing::TempDir dir_;
};

TEST_F(CertificateGaugesTest, NoTlsNoSeries) {
  config::Config config;
  config.otlp.enabled = true;  // without otlp.tls
  const auto gauges = build_certificate_gauges(config, Clock::now());
  EXPECT_THAT(series_of(gauges), IsEmpty());
  EXPECT_THAT(gauges.warnings, IsEmpty());
  EXPECT_THAT(certificate_files_in_use(config), IsEmpty());
}

TEST_F(CertificateGaugesTest, ServerTlsWithClientCa) {
  config::Config config;
  enable_tls(config.server.tls, cert_file("server.pem", 90 * kDay), cert_file("ca.pem", 60 * kDay));
  const auto now = now_unix();
  const auto series = series_of(build_certificate_gauges(config, Clock::now()));
  ASSERT_EQ(series.size(), 2u);
  EXPECT_NEAR(series.at({"server", "server.tls/cert_file"}), now + 90 * kDay, 5);
  EXPECT_NEAR(series.at({"server", "server.tls/client_ca_file"}), now + 60 * kDay, 5);
}

TEST_F(CertificateGaugesTest, ServerTlsWithoutClientCaHasOnlyTheCertificate) {
  config::Config config;
  enable_tls(config.server.tls, cert_file("server.pem", 90 * kDay));
  const auto series = series_of(build_certificate_gauges(config, Clock::now()));
  EXPECT_THAT(series, ElementsAre(Pair(Pair("server", "server.tls/cert_file"), ::testing::_)));
}

TEST_F(CertificateGaugesTest, DisabledSectionsAreNotRead) {
  config::Config config;
  // Files configured but not in use: server.tls off; otlp.tls on but the OTLP receivers off.
  enable_tls(config.server.tls, cert_file("server.pem", 90 * kDay));
  config.server.tls.enabled = false;
  enable_tls(config.otlp.tls, cert_file("otlp.pem", 90 * kDay),
             cert_file("otlp-ca.pem", 90 * kDay));
  config.otlp.enabled = false;
  EXPECT_THAT(series_of(build_certificate_gauges(config, Clock::now())), IsEmpty());
}

TEST_F(CertificateGaugesTest, OtlpTlsIsTheBeylaSource) {
  config::Config config;
  config.otlp.enabled = true;
  enable_tls(config.otlp.tls, cert_file("otlp.pem", 90 * kDay),
             cert_file("otlp-ca.pem", 45 * kDay));
  const auto now = now_unix();
  const auto series = series_of(build_certificate_gauges(config, Clock::now()));
  ASSERT_EQ(series.size(), 2u);
  EXPECT_NEAR(series.at({"beyla", "otlp.tls/cert_file"}), now + 90 * kDay, 5);
  EXPECT_NEAR(series.at({"beyla", "otlp.tls/client_ca_file"}), now + 45 * kDay, 5);
}

TEST_F(CertificateGaugesTest, AllFourFiles) {
  config::Config config;
  enable_tls(config.server.tls, cert_file("server.pem", 90 * kDay), cert_file("ca.pem", 90 * kDay));
  config.otlp.enabled = true;
  enable_tls(config.otlp.tls, cert_file("otlp.pem", 90 * kDay),
             cert_file("otlp-ca.pem", 90 * kDay));
  const auto series = series_of(build_certificate_gauges(config, Clock::now()));
  EXPECT_THAT(series,
              UnorderedElementsAre(Pair(Pair("server", "server.tls/cert_file"), ::testing::_),
                                   Pair(Pair("server", "server.tls/client_ca_file"), ::testing::_),
                                   Pair(Pair("beyla", "otlp.tls/cert_file"), ::testing::_),
                                   Pair(Pair("beyla", "otlp.tls/client_ca_file"), ::testing::_)));
}

TEST_F(CertificateGaugesTest, ABundleCountsItsEarliestCertificate) {
  // The long-lived certificate first: the value must not simply be the first one's.
  const auto bundle = make_self_signed("long", {.valid_for_seconds = 300 * kDay}).cert +
                      make_self_signed("short", {.valid_for_seconds = 20 * kDay}).cert +
                      make_self_signed("middle", {.valid_for_seconds = 100 * kDay}).cert;
  config::Config config;
  enable_tls(config.server.tls, cert_file("server.pem", 90 * kDay),
             dir_.write("bundle.pem", bundle));
  const auto now = now_unix();
  const auto series = series_of(build_certificate_gauges(config, Clock::now()));
  EXPECT_NEAR(series.at({"server", "server.tls/client_ca_file"}), now + 20 * kDay, 5);
}

TEST_F(CertificateGaugesTest, WarnsForACertificateThreeDaysFromExpiry) {
  config::Config config;
  const auto path = cert_file("server.pem", 3 * kDay);
  enable_tls(config.server.tls, path);
  const auto gauges = build_certificate_gauges(config, Clock::now());
  EXPECT_THAT(gauges.warnings, ElementsAre("server.tls.cert_file: the certificate in '" + path +
                                           "' expires in less than 7 days"));
  EXPECT_EQ(series_of(gauges).size(), 1u);
}

TEST_F(CertificateGaugesTest, WarnsForAnExpiredCertificateAndStillPublishesIt) {
  config::Config config;
  config.otlp.enabled = true;
  const auto ca = cert_file("otlp-ca.pem", -kDay);
  enable_tls(config.otlp.tls, cert_file("otlp.pem", 90 * kDay), ca);
  const auto now = now_unix();
  const auto gauges = build_certificate_gauges(config, Clock::now());
  EXPECT_THAT(gauges.warnings,
              ElementsAre("otlp.tls.client_ca_file: the certificate in '" + ca + "' has expired"));
  EXPECT_NEAR(series_of(gauges).at({"beyla", "otlp.tls/client_ca_file"}), now - kDay, 5);
}

TEST_F(CertificateGaugesTest, NoWarningThirtyDaysAhead) {
  config::Config config;
  enable_tls(config.server.tls, cert_file("server.pem", 30 * kDay), cert_file("ca.pem", 30 * kDay));
  EXPECT_THAT(build_certificate_gauges(config, Clock::now()).warnings, IsEmpty());
}

TEST_F(CertificateGaugesTest, WarningThresholdsFollowTheInjectedClock) {
  config::Config config;
  const auto path = cert_file("server.pem", 365 * kDay);
  enable_tls(config.server.tls, path);
  const auto not_after =
      static_cast<std::int64_t>(series_of(build_certificate_gauges(config, Clock::now()))
                                    .at({"server", "server.tls/cert_file"}));
  const auto warnings_at = [&](std::int64_t now) {
    return build_certificate_gauges(config, at_unix(now)).warnings;
  };
  const auto prefix = "server.tls.cert_file: the certificate in '" + path + "'";
  EXPECT_THAT(warnings_at(not_after - 7 * kDay), IsEmpty());  // exactly a week: not less
  EXPECT_THAT(warnings_at(not_after - 7 * kDay + 1),
              ElementsAre(prefix + " expires in less than 7 days"));
  EXPECT_THAT(warnings_at(not_after), ElementsAre(prefix + " expires in less than 7 days"));
  EXPECT_THAT(warnings_at(not_after + 1), ElementsAre(prefix + " has expired"));
}

TEST_F(CertificateGaugesTest, AnUnreadableFileWarnsAndHasNoSeries) {
  config::Config config;
  const auto path = dir_.write("gone.pem", "not a certificate\n");
  enable_tls(config.server.tls, path);
  const auto gauges = build_certificate_gauges(config, Clock::now());
  EXPECT_THAT(series_of(gauges), IsEmpty());
  EXPECT_THAT(gauges.warnings,
              ElementsAre("server.tls.cert_file: cannot read the expiry of the certificates in '" +
                          path + "'"));
}

// Swaps spdlog's default logger for one writing into a string, for one test.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    sink->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(CertificateGaugesTest, PublishLogsWarningsAndPublishesTheFamily) {
  config::Config config;
  const auto soon = cert_file("server.pem", 3 * kDay);
  const auto expired = cert_file("ca.pem", -3600);
  enable_tls(config.server.tls, soon, expired);
  metrics::Hub hub;
  std::string log;
  {
    CapturedLog captured;
    publish_certificate_gauges(hub, config);
    log = captured.text();
  }
  EXPECT_THAT(log, HasSubstr("warning server.tls.cert_file: the certificate in '" + soon +
                             "' expires in less than 7 days\n"));
  EXPECT_THAT(log, HasSubstr("warning server.tls.client_ca_file: the certificate in '" + expired +
                             "' has expired\n"));
  const auto exposition = hub.collect();
  std::size_t series = 0;
  for (const auto& family : exposition.families) {
    if (family.meta->name == metrics::kCertificateExpiryFamily) series = family.series_count();
  }
  EXPECT_EQ(series, 2u);
}

TEST_F(CertificateGaugesTest, PublishWithoutTlsAddsNoFamily) {
  metrics::Hub hub;
  publish_certificate_gauges(hub, config::Config{});
  for (const auto& family : hub.collect().families) {
    EXPECT_NE(family.meta->name, metrics::kCertificateExpiryFamily);
  }
}

}  // namespace
}  // namespace observo::cli
