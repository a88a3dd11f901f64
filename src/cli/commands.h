// The subcommands. Each returns a process exit code (see options.h) and writes errors to
// stderr as one line naming what is wrong.
#pragma once

#include <string>

#include "cli/options.h"

namespace observo::cli {

int run_server(const GlobalOptions& options);
// syntax_only: the configuration alone, without the files and variables it points at.
int run_config_check(const GlobalOptions& options, bool syntax_only);
int run_version();

// The Pixie subcommands are in pixie_commands.h.

// Loads the configuration the options point at; prints the error and returns nullopt on failure.
std::optional<config::Config> load_config_or_report(const GlobalOptions& options,
                                                    bool read_files = true);

}  // namespace observo::cli
