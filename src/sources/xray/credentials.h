// AWS credentials the way deployments provide them, first found wins:
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY [, AWS_SESSION_TOKEN]
//   2. shared files: AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and AWS_CONFIG_FILE
//      (~/.aws/config), profile from --profile / xray.profile, else AWS_PROFILE, else "default"
//   3. web identity (IRSA): AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE through STS
//      AssumeRoleWithWebIdentity (unsigned; the token file is re-read at every refresh)
//   4. container (ECS, EKS Pod Identity): AWS_CONTAINER_CREDENTIALS_FULL_URI or
//      _RELATIVE_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read) or _TOKEN
//   5. EC2 instance metadata (IMDSv2): only when xray.imds_enabled, at xray.imds_endpoint
// Temporary credentials are refreshed 10 minutes before they expire. Secrets never appear in
// errors or logs. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "observo/common/result.h"
#include "sources/xray/http_client.h"
#include "sources/xray/sigv4.h"

namespace observo::xray {

using Env = std::function<std::optional<std::string>(const std::string&)>;
Env process_environment();

struct CredentialOptions {
  std::string profile;       // empty: AWS_PROFILE, else "default"
  std::string region;        // for the regional STS endpoint
  std::string sts_endpoint;  // override, e.g. https://127.0.0.1:8443 in tests
  bool imds_enabled = false;
  std::string imds_endpoint = "http://169.254.169.254";
  std::string ca_file;  // for STS over HTTPS
  std::chrono::milliseconds timeout{3000};
};

// The profile's region from the shared config file (for the region chain); "" if none.
std::string profile_region(const Env& env, const std::string& profile);

// "2026-11-21T08:00:00Z" (or with fractional seconds / +00:00) or an epoch number as text.
std::optional<std::chrono::system_clock::time_point> parse_expiration(const std::string& text);

class CredentialsProvider {
 public:
  using Clock = std::chrono::system_clock;
  CredentialsProvider(
      CredentialOptions options, Env env = process_environment(),
      std::function<Clock::time_point()> now = [] { return Clock::now(); });

  // Cached credentials, resolved again when absent or within 10 minutes of their expiry.
  Result<Credentials> get();

 private:
  Result<Credentials> resolve();
  Result<Credentials> from_environment();
  Result<Credentials> from_shared_files();
  Result<Credentials> from_web_identity();
  Result<Credentials> from_container();
  Result<Credentials> from_imds();

  CredentialOptions options_;
  Env env_;
  std::function<Clock::time_point()> now_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
};

}  // namespace observo::xray
