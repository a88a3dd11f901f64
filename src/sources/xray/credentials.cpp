#include "sources/xray/credentials.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

#include "common/read_file.h"

namespace observo::xray {
namespace {

constexpr auto kRefreshBefore = std::chrono::minutes(10);
constexpr const char* kContainerHost = "http://169.254.170.2";

using Section = std::map<std::string, std::string>;
using IniFile = std::map<std::string, Section>;

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::optional<std::string> read_text(const std::string& path) {
  auto text = common::read_file(path);
  if (!text) return std::nullopt;
  return std::move(*text);
}

IniFile parse_ini(const std::string& text) {
  IniFile ini;
  std::string section;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    ini[section][trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return ini;
}

std::string home_file(const Env& env, const char* variable, const char* leaf) {
  if (auto set = env(variable); set && !set->empty()) return *set;
  const auto home = env("HOME");
  return (home ? *home : std::string(".")) + "/.aws/" + leaf;
}

std::string active_profile(const Env& env, const std::string& profile) {
  if (!profile.empty()) return profile;
  if (auto p = env("AWS_PROFILE"); p && !p->empty()) return *p;
  return "default";
}

// Credentials JSON of STS (JSON protocol), the container endpoint and IMDS.
Result<Credentials> credentials_from_json(const nlohmann::json& c, const char* token_key,
                                          std::string provider) {
  if (!c.is_object() || !c.contains("AccessKeyId") || !c.contains("SecretAccessKey")) {
    return make_error(provider + ": response has no AccessKeyId / SecretAccessKey");
  }
  Credentials out;
  out.access_key_id = c["AccessKeyId"].is_string() ? c["AccessKeyId"].get<std::string>() : "";
  out.secret_access_key =
      c["SecretAccessKey"].is_string() ? c["SecretAccessKey"].get<std::string>() : "";
  if (c.contains(token_key) && c[token_key].is_string()) out.session_token = c[token_key];
  if (c.contains("Expiration")) {
    const auto& e = c["Expiration"];
    out.expiration = e.is_number()   ? std::optional(std::chrono::system_clock::time_point(
                                           std::chrono::seconds(e.get<std::int64_t>())))
                     : e.is_string() ? parse_expiration(e.get<std::string>())
                                     : std::nullopt;
  }
  out.provider = std::move(provider);
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return make_error(out.provider + ": empty credentials");
  }
  return out;
}

std::string query_escape(const std::string& s) { return uri_encode(s, false); }

}  // namespace

Env process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<std::chrono::system_clock::time_point> parse_expiration(const std::string& text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(std::stoll(text)));
  }
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string profile_region(const Env& env, const std::string& profile) {
  const auto name = active_profile(env, profile);
  const auto text = read_text(home_file(env, "AWS_CONFIG_FILE", "config"));
  if (!text) return {};
  auto ini = parse_ini(*text);
  const auto section = name == "default" ? ini.find("default") : ini.find("profile " + name);
  if (section == ini.end()) return {};
  const auto region = section->second.find("region");
  return region == section->second.end() ? "" : region->second;
}

CredentialsProvider::CredentialsProvider(CredentialOptions options, Env env,
                                         std::function<Clock::time_point()> now)
    : options_(std::move(options)), env_(std::move(env)), now_(std::move(now)) {}

Result<Credentials> CredentialsProvider::get() {
  std::lock_guard lock(mutex_);
  if (cached_ && (!cached_->expiration || *cached_->expiration - kRefreshBefore > now_())) {
    return *cached_;
  }
  auto resolved = resolve();
  if (!resolved) {
    // Keep using unexpired credentials when a refresh fails.
    if (cached_ && cached_->expiration && *cached_->expiration > now_()) return *cached_;
    return resolved;
  }
  cached_ = *resolved;
  return resolved;
}

Result<Credentials> CredentialsProvider::resolve() {
  std::string tried;
  for (auto step : {&CredentialsProvider::from_environment, &CredentialsProvider::from_shared_files,
                    &CredentialsProvider::from_web_identity, &CredentialsProvider::from_container,
                    &CredentialsProvider::from_imds}) {
    auto found = (this->*step)();
    if (found) return found;
    if (!found.error().empty()) tried += (tried.empty() ? "" : "; ") + found.error();
  }
  return make_error("no AWS credentials found (" + (tried.empty() ? "nothing configured" : tried) +
                    ")");
}

// An empty error means "not configured here", so the chain moves on without noise.
Result<Credentials> CredentialsProvider::from_environment() {
  const auto id = env_("AWS_ACCESS_KEY_ID");
  const auto secret = env_("AWS_SECRET_ACCESS_KEY");
  if (!id || !secret || id->empty() || secret->empty()) return make_error("");
  Credentials out{*id, *secret, "", std::nullopt, "environment"};
  if (auto token = env_("AWS_SESSION_TOKEN"); token) out.session_token = *token;
  return out;
}

Result<Credentials> CredentialsProvider::from_shared_files() {
  const auto profile = active_profile(env_, options_.profile);
  for (const auto& [variable, leaf, section_name] :
       {std::tuple{"AWS_SHARED_CREDENTIALS_FILE", "credentials", profile},
        std::tuple{"AWS_CONFIG_FILE", "config",
                   profile == "default" ? std::string("default") : "profile " + profile}}) {
    const auto text = read_text(home_file(env_, variable, leaf));
    if (!text) continue;
    const auto ini = parse_ini(*text);
    const auto section = ini.find(section_name);
    if (section == ini.end()) continue;
    const auto& keys = section->second;
    const auto id = keys.find("aws_access_key_id");
    const auto secret = keys.find("aws_secret_access_key");
    if (id == keys.end() || secret == keys.end()) continue;
    Credentials out{id->second, secret->second, "", std::nullopt, std::string("shared-") + leaf};
    if (const auto token = keys.find("aws_session_token"); token != keys.end()) {
      out.session_token = token->second;
    }
    return out;
  }
  return make_error("");
}

Result<Credentials> CredentialsProvider::from_web_identity() {
  const auto role = env_("AWS_ROLE_ARN");
  const auto token_file = env_("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!role || !token_file || role->empty() || token_file->empty()) return make_error("");
  const auto token = read_text(*token_file);
  if (!token)
    return make_error("web identity: cannot read AWS_WEB_IDENTITY_TOKEN_FILE " + *token_file);
  const auto session = env_("AWS_ROLE_SESSION_NAME").value_or("observo");
  std::string endpoint = options_.sts_endpoint;
  if (endpoint.empty()) {
    endpoint = options_.region.empty() ? "https://sts.amazonaws.com"
                                       : "https://sts." + options_.region + ".amazonaws.com";
  }
  auto url = parse_url(endpoint);
  if (!url) return make_error("web identity: " + url.error());
  url->target = "/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=" +
                query_escape(session) + "&RoleArn=" + query_escape(*role) +
                "&WebIdentityToken=" + query_escape(trim(*token));
  HttpClient client({options_.ca_file, options_.timeout, options_.timeout});
  const auto response = client.request("GET", *url, {{"Accept", "application/json"}}, "");
  if (!response) return make_error("web identity: STS unreachable");  // the URL holds the token
  if (response->status != 200) {
    return make_error("web identity: STS answered HTTP " + std::to_string(response->status));
  }
  const auto doc = nlohmann::json::parse(response->body, nullptr, false);
  if (doc.is_discarded()) return make_error("web identity: STS response is not JSON");
  const auto pointer =
      "/AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials"_json_pointer;
  if (!doc.is_object() || !doc.contains(pointer)) {
    return make_error("web identity: STS response has no Credentials");
  }
  return credentials_from_json(doc.at(pointer), "SessionToken", "web-identity");
}

Result<Credentials> CredentialsProvider::from_container() {
  std::string uri;
  if (auto full = env_("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full && !full->empty()) {
    uri = *full;
  } else if (auto relative = env_("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
             relative && !relative->empty()) {
    uri = std::string(kContainerHost) + *relative;
  } else {
    return make_error("");
  }
  auto url = parse_url(uri);
  if (!url) return make_error("container credentials: " + url.error());
  HeaderList headers;
  if (auto file = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file && !file->empty()) {
    const auto token = read_text(*file);
    if (!token) return make_error("container credentials: cannot read " + *file);
    headers.emplace_back("Authorization", trim(*token));
  } else if (auto token = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN"); token && !token->empty()) {
    headers.emplace_back("Authorization", *token);
  }
  HttpClient client({options_.ca_file, options_.timeout, options_.timeout});
  const auto response = client.request("GET", *url, headers, "");
  if (!response) return make_error("container credentials: " + response.error());
  if (response->status != 200) {
    return make_error("container credentials: HTTP " + std::to_string(response->status));
  }
  const auto doc = nlohmann::json::parse(response->body, nullptr, false);
  if (doc.is_discarded()) return make_error("container credentials: response is not JSON");
  return credentials_from_json(doc, "Token", "container");
}

Result<Credentials> CredentialsProvider::from_imds() {
  if (!options_.imds_enabled) return make_error("");
  auto base = parse_url(options_.imds_endpoint);
  if (!base) return make_error("imds: " + base.error());
  HttpClient client({"", options_.timeout, options_.timeout});
  Url url = *base;
  url.target = "/latest/api/token";
  const auto token =
      client.request("PUT", url, {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "");
  if (!token || token->status != 200) return make_error("imds: no session token (IMDSv2)");
  const HeaderList auth{{"X-aws-ec2-metadata-token", token->body}};
  url.target = "/latest/meta-data/iam/security-credentials/";
  const auto roles = client.request("GET", url, auth, "");
  if (!roles || roles->status != 200) return make_error("imds: no instance role");
  const auto role = trim(roles->body.substr(0, roles->body.find('\n')));
  url.target += role;
  const auto response = client.request("GET", url, auth, "");
  if (!response || response->status != 200) return make_error("imds: no credentials for the role");
  const auto doc = nlohmann::json::parse(response->body, nullptr, false);
  if (doc.is_discarded()) return make_error("imds: response is not JSON");
  return credentials_from_json(doc, "Token", "imds");
}

}  // namespace observo::xray
