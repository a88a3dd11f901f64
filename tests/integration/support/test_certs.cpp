#include "test_certs.h"

#include <cstdlib>
#include <fstream>
#include <system_error>
#include <vector>

namespace observo::testing {

namespace fs = std::filesystem;

namespace {

constexpr const char* kOpensslConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = observo test
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
)";

bool run(const std::string& command, std::string* error) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) == 0) return true;
  if (error != nullptr) *error = "command failed: " + command;
  return false;
}

}  // namespace

TestCerts::TestCerts(TestCerts&& other) noexcept : dir_(std::move(other.dir_)) {
  other.dir_.clear();
}

TestCerts& TestCerts::operator=(TestCerts&& other) noexcept {
  if (this != &other) {
    remove();
    dir_ = std::move(other.dir_);
    other.dir_.clear();
  }
  return *this;
}

TestCerts::~TestCerts() { remove(); }

void TestCerts::remove() {
  if (dir_.empty()) return;
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  dir_.clear();
}

std::optional<TestCerts> TestCerts::generate(std::string* error) {
  std::string pattern = (fs::temp_directory_path() / "observo-certs-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    if (error != nullptr) *error = "mkdtemp failed";
    return std::nullopt;
  }
  TestCerts certs{fs::path(buffer.data())};
  const std::string d = "'" + certs.dir_.string() + "'";
  {
    std::ofstream config(certs.path("openssl.cnf"));
    config << kOpensslConfig;
  }
  const std::string cnf = " -config " + d + "/openssl.cnf";
  const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  const std::vector<std::string> commands = {
      "openssl req -x509" + key + cnf + " -extensions ca -days 2 -subj '/CN=observo test CA'" +
          " -keyout " + d + "/ca.key -out " + d + "/ca.crt",
      "openssl req" + key + cnf + " -subj '/CN=localhost' -keyout " + d + "/server.key -out " + d +
          "/server.csr",
      "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.crt -CAkey " + d +
          "/ca.key -CAcreateserial -days 2 -extfile " + d +
          "/openssl.cnf -extensions server -out " + d + "/server.crt",
      "openssl req" + key + cnf + " -subj '/CN=observo test client' -keyout " + d +
          "/client.key -out " + d + "/client.csr",
      "openssl x509 -req -in " + d + "/client.csr -CA " + d + "/ca.crt -CAkey " + d +
          "/ca.key -CAcreateserial -days 2 -extfile " + d +
          "/openssl.cnf -extensions client -out " + d + "/client.crt",
  };
  for (const auto& command : commands) {
    if (!run(command, error)) return std::nullopt;
  }
  return certs;
}

}  // namespace observo::testing
