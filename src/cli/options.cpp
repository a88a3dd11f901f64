#include "cli/options.h"

namespace observo::cli {

std::vector<config::Override> GlobalOptions::overrides() const {
  std::vector<config::Override> out;
  if (log_level) out.push_back({"log.level", *log_level, "--log-level"});
  if (log_format) out.push_back({"log.format", *log_format, "--log-format"});
  if (listen_address) out.push_back({"server.listen_address", *listen_address, "--listen-address"});
  if (port) out.push_back({"server.port", *port, "--port"});
  return out;
}

}  // namespace observo::cli
