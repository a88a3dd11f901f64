// Certificates for the TLS tests, generated at test time with the openssl command-line tool
// into a temporary directory (removed again by the destructor): a CA, a server certificate for
// "localhost" and 127.0.0.1, and a client certificate, all signed by that CA. Nothing secret
// is kept in the repository and nothing expires under the tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace observo::testing {

class TestCerts {
 public:
  // nullopt (with the reason in *error) when openssl is missing or fails.
  static std::optional<TestCerts> generate(std::string* error);

  TestCerts(TestCerts&& other) noexcept;
  TestCerts& operator=(TestCerts&& other) noexcept;
  TestCerts(const TestCerts&) = delete;
  ~TestCerts();

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string ca_cert() const { return path("ca.crt"); }
  std::string server_cert() const { return path("server.crt"); }
  std::string server_key() const { return path("server.key"); }
  std::string client_cert() const { return path("client.crt"); }
  std::string client_key() const { return path("client.key"); }

 private:
  explicit TestCerts(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void remove();
  std::filesystem::path dir_;
};

}  // namespace observo::testing
