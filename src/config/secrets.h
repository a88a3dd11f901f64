// Resolves the credentials observo checks HTTP clients against (bearer tokens, the basic-auth
// password) from the files and environment variables the configuration names.
//
// Only the mode in use is resolved, so a tokens file left in the config while auth is off does
// not stop the daemon. Errors name the key, the file or the variable, never a secret.
#pragma once

#include "config/origin.h"
#include "observo/config/config.h"
#include "observo/config/loader.h"

namespace observo::config::detail {

// Fills config.server.auth.bearer_tokens / basic_password. Throws LoadError.
void resolve_secrets(Config& config, const Origins& origins, const EnvLookup& env);

}  // namespace observo::config::detail
