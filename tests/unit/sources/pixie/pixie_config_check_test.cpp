// What `observo config check` reports of pixie.*: one error per broken cluster (every cluster
// is checked, not just the first), warnings that do not fail the check, and the scripts.
#include "sources/pixie/config_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../config/config_test_util.h"
#include "../../support/test_certificates.h"

namespace observo::pixie {
namespace {

using ::observo::testing::make_self_signed;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class PixieConfigCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto good = make_self_signed("good", {.valid_for_seconds = 30 * 86400});
    const auto soon = make_self_signed("soon", {.valid_for_seconds = 3 * 86400});
    const auto expired = make_self_signed("expired", {.valid_for_seconds = -60});
    dir_.write("good.crt", good.cert);
    dir_.write("good.key", good.key);
    dir_.write("soon.crt", soon.cert);
    dir_.write("expired.crt", expired.cert);
    dir_.write("jwt.key", "signing-key\n");
  }

  config::PixieClusterConfig cluster(const std::string& id, const std::string& ca) const {
    config::PixieClusterConfig c;
    c.id = id;
    c.address = id + ":50300";
    c.ca_cert = path(ca);
    c.client_cert = path("good.crt");
    c.client_key = path("good.key");
    c.jwt_signing_key_file = path("jwt.key");
    return c;
  }

  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  config::testing::TempDir dir_;
};

TEST_F(PixieConfigCheck, AGoodClusterPasses) {
  config::PixieConfig pixie;
  pixie.clusters = {cluster("prod", "good.crt")};
  const auto check = check_config(pixie);
  EXPECT_THAT(check.errors, IsEmpty());
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST_F(PixieConfigCheck, EveryBrokenClusterIsReportedAndWarningsDoNotFail) {
  config::PixieConfig pixie;
  pixie.clusters = {cluster("a", "expired.crt"), cluster("b", "soon.crt"),
                    cluster("c", "absent.crt")};
  pixie.clusters[1].skip_verify = true;
  pixie.clusters[2].jwt_signing_key_file = path("absent.key");
  const auto check = check_config(pixie);
  EXPECT_THAT(check.errors,
              ElementsAre("pixie.clusters[0].ca_cert: the certificate in '" + path("expired.crt") +
                              "' has expired",
                          "pixie.clusters[2].ca_cert: cannot read '" + path("absent.crt") +
                              "': No such file or directory"));
  EXPECT_THAT(check.warnings,
              ElementsAre("pixie.clusters[1].ca_cert: the certificate in '" + path("soon.crt") +
                              "' expires in less than 7 days",
                          HasSubstr("pixie.clusters[1].skip_verify: the server certificate of "
                                    "'b:50300' is not verified")));
}

TEST_F(PixieConfigCheck, TheSigningKeyAndTheScriptsAreChecked) {
  config::PixieConfig pixie;
  pixie.clusters = {cluster("prod", "good.crt")};
  pixie.clusters[0].jwt_signing_key_file = path("absent.key");
  pixie.scripts = {"resource_usage", "nope"};
  EXPECT_THAT(check_config(pixie).errors,
              ElementsAre(HasSubstr("pixie.clusters[0].jwt_signing_key_file: cannot read"),
                          "pixie.scripts: unknown script 'nope'"));
}

TEST_F(PixieConfigCheck, EnabledWithoutClustersIsAnError) {
  config::PixieConfig pixie;
  pixie.enabled = true;
  EXPECT_THAT(check_config(pixie).errors,
              ElementsAre("pixie.enabled is true but pixie.clusters is empty"));
  pixie.enabled = false;
  EXPECT_THAT(check_config(pixie).errors, IsEmpty());
}

}  // namespace
}  // namespace observo::pixie
