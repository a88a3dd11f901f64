// Reading a whole file the configuration names (certificates, keys, tokens, credentials).
// The error says which file and why ("cannot read '/etc/x.pem': Permission denied"), never what
// is in it: these files hold secrets. Callers put the config key in front.
#pragma once

#include <string>

#include "observo/common/result.h"

namespace observo::common {

Result<std::string> read_file(const std::string& path);

}  // namespace observo::common
