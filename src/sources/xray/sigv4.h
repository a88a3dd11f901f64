// AWS Signature Version 4 for the X-Ray API (and anything else observo signs for AWS).
//
// Written against the published 2015 test suite (header-signing variant): the signer exposes
// its intermediate artefacts (canonical request, string to sign) so that a unit test can
// compare each of them, not only the final signature. It never logs: the secret key and the
// derived keys stay in memory only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "observo/common/result.h"

namespace observo::xray {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // secret
  std::string session_token;      // secret; empty for long-term keys
  // Temporary credentials expire; long-term ones have no expiry.
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string provider;  // where they came from ("environment", "shared-file", ...), for logs
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RequestToSign {
  std::string method;  // "POST"
  std::string target;  // raw path and query as sent: "/TraceSummaries", "/?a=b"
  HeaderList headers;  // must hold Host
  std::string body;
};

struct SigningOptions {
  std::string region;
  std::string service;              // "xray", "sts"
  std::string amz_date;             // "20150830T123600Z" (UTC)
  bool normalize_path = true;       // every service but S3
  bool add_content_sha256 = false;  // x-amz-content-sha256 (S3 style); X-Ray does not need it
  bool sign_session_token = true;   // false: the token is added after signing (old STS style)
};

struct SignedRequest {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lowercase hex
  std::string authorization;  // value of the Authorization header
  HeaderList added_headers;   // X-Amz-Date, X-Amz-Security-Token, ... then Authorization
};

Result<SignedRequest> sign(const RequestToSign& request, const Credentials& credentials,
                           const SigningOptions& options);

// "YYYYMMDDTHHMMSSZ" in UTC.
std::string format_amz_date(std::chrono::system_clock::time_point time);

// Building blocks, exposed for the tests and for the fake servers that verify signatures.
std::string sha256_hex(std::string_view data);
std::string canonical_uri(std::string_view raw_path, bool normalize);
std::string canonical_query(std::string_view raw_query);
std::string uri_encode(std::string_view text, bool keep_slash);
std::string uri_decode(std::string_view text);

}  // namespace observo::xray
