// Runs the SigV4 signer over every case of the published AWS test suite (header variant) and
// compares the canonical request, the string to sign and the signature byte for byte.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sources/xray/sigv4.h"

namespace observo::xray {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Parses request.txt: "METHOD target HTTP/1.1", headers (continuation lines start with
// whitespace), a blank line, the body.
RequestToSign parse_request(const std::string& text) {
  RequestToSign request;
  std::size_t pos = 0;
  auto next_line = [&](std::string& line) {
    if (pos > text.size()) return false;
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    line = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  std::string line;
  next_line(line);
  const auto space = line.find(' ');
  const auto http = line.rfind(" HTTP/");
  request.method = line.substr(0, space);
  request.target = line.substr(space + 1, http - space - 1);
  while (next_line(line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\n" + line;
      continue;
    }
    const auto colon = line.find(':');
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  if (pos < text.size()) request.body = text.substr(pos);
  return request;
}

std::string amz_date_of(const std::string& timestamp) {  // 2015-08-30T12:36:00Z
  std::string out;
  for (char c : timestamp) {
    if (c != '-' && c != ':') out.push_back(c);
  }
  return out;
}

std::vector<fs::path> suite_cases() {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(OBSERVO_SIGV4_SUITE_DIR)) {
    if (entry.is_directory() && fs::exists(entry.path() / "header-signature.txt")) {
      cases.push_back(entry.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

TEST(SigV4Suite, EveryHeaderSigningCase) {
  const auto cases = suite_cases();
  ASSERT_GE(cases.size(), 38u) << "suite folder: " << OBSERVO_SIGV4_SUITE_DIR;
  for (const auto& dir : cases) {
    SCOPED_TRACE(dir.filename().string());
    const auto context = nlohmann::json::parse(read_file(dir / "context.json"));
    Credentials credentials;
    credentials.access_key_id = context["credentials"]["access_key_id"];
    credentials.secret_access_key = context["credentials"]["secret_access_key"];
    credentials.session_token = context["credentials"].value("token", "");
    SigningOptions options;
    options.region = context["region"];
    options.service = context["service"];
    options.amz_date = amz_date_of(context["timestamp"]);
    options.normalize_path = context.value("normalize", true);
    options.add_content_sha256 = context.value("sign_body", false);
    options.sign_session_token = !context.value("omit_session_token", false);

    const auto signed_request =
        sign(parse_request(read_file(dir / "request.txt")), credentials, options);
    ASSERT_TRUE(signed_request.ok()) << signed_request.error();
    EXPECT_EQ(signed_request->canonical_request, read_file(dir / "header-canonical-request.txt"));
    EXPECT_EQ(signed_request->string_to_sign, read_file(dir / "header-string-to-sign.txt"));
    EXPECT_EQ(signed_request->signature, read_file(dir / "header-signature.txt"));
    EXPECT_NE(read_file(dir / "header-signed-request.txt").find(signed_request->authorization),
              std::string::npos);
  }
}

// The X-Ray shaped vector of the reference notes (two independent implementations agree).
TEST(SigV4, XrayShapedRequest) {
  RequestToSign request{
      "POST",
      "/TraceSummaries",
      {{"Host", "xray.us-east-1.amazonaws.com"}, {"Content-Type", "application/json"}},
      R"({"StartTime":1440938100,"EndTime":1440938160})"};
  Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""};
  SigningOptions options{"us-east-1", "xray", "20150830T123600Z"};
  const auto signed_request = sign(request, credentials, options);
  ASSERT_TRUE(signed_request.ok());
  EXPECT_EQ(sha256_hex(request.body),
            "c97b1943be5fd941850e76edbb76dedea50528dc3df0c2ec6730a71b5ab71be8");
  EXPECT_EQ(sha256_hex(signed_request->canonical_request),
            "7041e4ff4ece6ef0c3ca55f08e4c01596133750528ee81396d4e003c0ab52fd1");
  EXPECT_EQ(signed_request->signature,
            "ac67ddbeaeafe76bd4bd849c56ea047a9bd5b9d948a723c345fb88661aa25786");
  EXPECT_NE(signed_request->authorization.find("SignedHeaders=content-type;host;x-amz-date,"),
            std::string::npos);
}

TEST(SigV4, RefusesMissingCredentialsAndHost) {
  SigningOptions options{"us-east-1", "xray", "20150830T123600Z"};
  EXPECT_FALSE(sign({"POST", "/", {{"Host", "h"}}, ""}, Credentials{}, options).ok());
  Credentials credentials{"AKID", "secret", "", {}, ""};
  EXPECT_FALSE(sign({"POST", "/", {}, ""}, credentials, options).ok());
}

}  // namespace
}  // namespace observo::xray
