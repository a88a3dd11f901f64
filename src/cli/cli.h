// The observo command line: subcommands (server, health, query, scripts, config check,
// version) and the flag forms of the earlier observo-connector (--server, --port,
// --list-scripts, --script-help, --builtin-script, --script-params).
#pragma once

namespace observo::cli {

// Parses argv and runs what it asks for; returns the process exit code.
int run(int argc, char** argv);

}  // namespace observo::cli
