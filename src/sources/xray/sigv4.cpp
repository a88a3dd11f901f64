#include "sources/xray/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>

namespace observo::xray {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

std::string to_hex(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0f]);
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &size);
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of whitespace to one space (continuation lines included).
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return to_hex(digest.data(), digest.size());
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 0x0f]);
    }
  }
  return out;
}

std::string uri_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string canonical_uri(std::string_view raw_path, bool normalize) {
  if (raw_path.empty()) return "/";
  if (!normalize) return uri_encode(raw_path, true);
  // RFC 3986 dot-segment removal; empty segments (from "//") are dropped as AWS does.
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  bool trailing_slash = false;
  while (start <= raw_path.size()) {
    const auto end = std::min(raw_path.find('/', start), raw_path.size());
    const auto segment = raw_path.substr(start, end - start);
    const bool last = end == raw_path.size();
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (last) trailing_slash = segment.empty() && start > 0;
    start = end + 1;
  }
  std::string path;
  for (const auto& segment : segments) {
    path += '/';
    path += uri_encode(segment, false);
  }
  if (path.empty()) return "/";
  if (trailing_slash) path += '/';
  return path;
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start < raw_query.size()) {
    const auto end = std::min(raw_query.find('&', start), raw_query.size());
    const auto pair = raw_query.substr(start, end - start);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      const auto name = pair.substr(0, eq);
      const auto value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(name), false),
                          uri_encode(uri_decode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buffer{};
  const auto size = std::strftime(buffer.data(), buffer.size(), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buffer.data(), size);
}

Result<SignedRequest> sign(const RequestToSign& request, const Credentials& credentials,
                           const SigningOptions& options) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return make_error("sigv4: no credentials");
  }
  if (options.amz_date.size() != 16 || options.region.empty() || options.service.empty()) {
    return make_error("sigv4: amz_date, region and service are required");
  }
  SignedRequest out;
  const std::string payload_hash = sha256_hex(request.body);
  out.added_headers.emplace_back("X-Amz-Date", options.amz_date);
  if (options.add_content_sha256)
    out.added_headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  const bool has_token = !credentials.session_token.empty();
  if (has_token && options.sign_session_token) {
    out.added_headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }

  // Canonical headers: lowercase names, sorted, duplicates joined by ',' in order of appearance.
  std::map<std::string, std::string> headers;
  bool has_host = false;
  std::map<std::string, bool> seen;
  for (const auto& [name, value] : request.headers) {
    auto key = lower(name);
    if (key == "authorization") continue;
    has_host = has_host || key == "host";
    auto& slot = headers[key];
    if (seen[key]) slot += ',';
    seen[key] = true;
    slot += canonical_header_value(value);
  }
  for (const auto& [name, value] : out.added_headers) {
    auto key = lower(name);
    auto& slot = headers[key];
    if (seen[key]) slot += ',';
    seen[key] = true;
    slot += value;
  }
  if (!has_host) return make_error("sigv4: the request has no Host header");

  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ':' + value + '\n';
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }

  const auto question = request.target.find('?');
  const std::string_view target = request.target;
  const auto path = target.substr(0, question);
  const auto query =
      question == std::string::npos ? std::string_view{} : target.substr(question + 1);

  out.canonical_request = request.method + '\n' + canonical_uri(path, options.normalize_path) +
                          '\n' + canonical_query(query) + '\n' + canonical_headers + '\n' +
                          signed_headers + '\n' + payload_hash;

  const std::string datestamp = options.amz_date.substr(0, 8);
  const std::string scope =
      datestamp + '/' + options.region + '/' + options.service + "/aws4_request";
  out.string_to_sign = std::string(kAlgorithm) + '\n' + options.amz_date + '\n' + scope + '\n' +
                       sha256_hex(out.canonical_request);

  const std::string k_date = hmac("AWS4" + credentials.secret_access_key, datestamp);
  const std::string k_region = hmac(k_date, options.region);
  const std::string k_service = hmac(k_region, options.service);
  const std::string k_signing = hmac(k_service, "aws4_request");
  const std::string raw = hmac(k_signing, out.string_to_sign);
  out.signature = to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + '/' +
                      scope + ", SignedHeaders=" + signed_headers + ", Signature=" + out.signature;
  if (has_token && !options.sign_session_token) {
    out.added_headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  out.added_headers.emplace_back("Authorization", out.authorization);
  return out;
}

}  // namespace observo::xray
