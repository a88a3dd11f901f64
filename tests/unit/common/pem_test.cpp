// The PEM helpers every TLS file check uses, on certificates and keys made here.
#include "common/pem.h"

#include <gtest/gtest.h>

#include <chrono>

#include "../support/test_certificates.h"

namespace observo::pem {
namespace {

using observo::testing::make_self_signed;

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(Pem, CountsEveryCertificateOfABundle) {
  const auto a = make_self_signed("a");
  const auto b = make_self_signed("b");
  EXPECT_EQ(count_certificates(a.cert), 1U);
  EXPECT_EQ(count_certificates(a.cert + b.cert), 2U);
  EXPECT_EQ(count_certificates("not a certificate\n"), 0U);
  EXPECT_EQ(count_certificates(""), 0U);
  EXPECT_EQ(count_certificates(a.key), 0U);  // a key is not a certificate
}

TEST(Pem, TheEarliestExpiryOfABundleCounts) {
  const auto day = make_self_signed("day", {.valid_for_seconds = 86400});
  const auto hour = make_self_signed("hour", {.valid_for_seconds = 3600});
  const auto start = now_unix();
  const auto one = earliest_not_after(day.cert);
  ASSERT_TRUE(one.has_value());
  EXPECT_NEAR(static_cast<double>(*one), static_cast<double>(start + 86400), 5.0);
  const auto both = earliest_not_after(day.cert + hour.cert);
  ASSERT_TRUE(both.has_value());
  EXPECT_NEAR(static_cast<double>(*both), static_cast<double>(start + 3600), 5.0);
  EXPECT_FALSE(earliest_not_after("garbage").has_value());
}

TEST(Pem, KeyPairsAreMatchedAndEncryptedKeysRefused) {
  const auto a = make_self_signed("a");
  const auto b = make_self_signed("b");
  const auto locked = make_self_signed("locked", {.passphrase = "secret"});
  EXPECT_EQ(check_key_pair(a.cert, SecretText(a.key)), KeyPair::kMatches);
  EXPECT_EQ(check_key_pair(a.cert, SecretText(b.key)), KeyPair::kMismatch);
  EXPECT_EQ(check_key_pair(locked.cert, SecretText(locked.key)), KeyPair::kNoKey);
  EXPECT_EQ(check_key_pair(a.cert, SecretText("no key here")), KeyPair::kNoKey);
  EXPECT_EQ(check_key_pair("no certificate", SecretText(a.key)), KeyPair::kNoCertificate);
}

TEST(Pem, ExpiryIsSoonUnderSevenDaysAndExpiredAfterNotAfter) {
  constexpr std::int64_t kNow = 1'800'000'000;
  constexpr std::int64_t kWeek = 7 * 86400;
  EXPECT_EQ(expiry_at(kNow + kWeek, kNow), Expiry::kValid);
  EXPECT_EQ(expiry_at(kNow + kWeek - 1, kNow), Expiry::kExpiresSoon);
  EXPECT_EQ(expiry_at(kNow, kNow), Expiry::kExpiresSoon);  // RFC 5280: valid through notAfter
  EXPECT_EQ(expiry_at(kNow - 1, kNow), Expiry::kExpired);
  EXPECT_EQ(describe(Expiry::kExpired), "has expired");
  EXPECT_EQ(describe(Expiry::kExpiresSoon), "expires in less than 7 days");
  EXPECT_EQ(describe(Expiry::kValid), "");
}

}  // namespace
}  // namespace observo::pem
