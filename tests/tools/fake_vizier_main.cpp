// observo_fake_vizier: the integration tests' fake Vizier as a program, for end-to-end scripts
// that run the real daemon against it (tests/e2e/all_sources.sh).
//
//   observo_fake_vizier [--cert F --key F [--client-ca F]] [--jwt-key-file F] [--rows FILE]
//
// --rows FILE: JSON object {"<builtin script>": [{"<column>": "<value text>", ...}, ...], ...},
// the rows served for each builtin script (as FakeVizier::set_script_rows).
// Prints "fake vizier listening on 127.0.0.1:PORT" once it serves, then runs until SIGTERM or
// SIGINT. Exit 2 on bad arguments or files, 1 when the server cannot start.
#include <signal.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "../integration/pixie/fake_vizier.h"
#include "common/read_file.h"

namespace {

std::string read_text(const std::string& path) {
  auto text = observo::common::read_file(path);
  if (!text) throw std::runtime_error(text.error());
  return std::move(text).value();
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// Loads --rows: every value becomes the text the fake puts in its column.
void load_rows(observo::testing::FakeVizier& fake, const std::string& path) {
  const auto doc = nlohmann::json::parse(read_text(path));
  if (!doc.is_object()) throw std::runtime_error("'" + path + "': not a JSON object");
  for (const auto& [script, rows] : doc.items()) {
    std::vector<std::map<std::string, std::string>> parsed;
    for (const auto& row : rows) {
      std::map<std::string, std::string> columns;
      for (const auto& [column, value] : row.items()) {
        columns[column] = value.is_string() ? value.get<std::string>() : value.dump();
      }
      parsed.push_back(std::move(columns));
    }
    fake.set_script_rows(script, std::move(parsed));
  }
}

}  // namespace

int main(int argc, char** argv) {
  observo::testing::FakeVizierOptions options;
  std::string rows_file;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value");
      const std::string value = argv[++i];
      if (flag == "--cert") {
        options.tls = true;
        options.cert_file = value;
      } else if (flag == "--key") {
        options.key_file = value;
      } else if (flag == "--client-ca") {
        options.client_ca_file = value;
      } else if (flag == "--jwt-key-file") {
        options.jwt_key = trimmed(read_text(value));
      } else if (flag == "--rows") {
        rows_file = value;
      } else {
        throw std::runtime_error("unknown flag " + flag);
      }
    }
    if (options.tls && options.key_file.empty()) throw std::runtime_error("--cert needs --key");
  } catch (const std::exception& error) {
    std::cerr << "observo_fake_vizier: " << error.what() << "\n";
    return 2;
  }

  // Block the stop signals before any gRPC thread exists, then wait for one of them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  observo::testing::FakeVizier fake(options);
  try {
    if (!rows_file.empty()) load_rows(fake, rows_file);
  } catch (const std::exception& error) {
    std::cerr << "observo_fake_vizier: --rows: " << error.what() << "\n";
    return 2;
  }
  if (!fake.start()) {
    std::cerr << "observo_fake_vizier: cannot start the gRPC server\n";
    return 1;
  }
  std::cout << "fake vizier listening on " << fake.address() << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  fake.stop();
  return 0;
}
