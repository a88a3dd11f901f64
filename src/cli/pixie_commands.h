// The Pixie subcommands: `observo health`, `observo query`, `observo scripts list|help|run` and
// the seed flags of the earlier connector (--list-scripts, --script-help, --builtin-script with
// --script-params). Exit codes: 0 success, 1 the cluster answered badly or not at all,
// 2 usage or configuration error (unknown script, bad parameter, no cluster configured).
#pragma once

#include <string>

#include "cli/options.h"

namespace observo::cli {

struct PixieOptions {
  std::string cluster_id;               // empty: the first of pixie.clusters
  std::string output = "text";          // text | json (health, scripts list/help)
  std::string format = "json";          // json | csv (query results)
  std::string time_format = "rfc3339";  // rfc3339 | ns
};

int run_pixie_health(const GlobalOptions& options, const PixieOptions& pixie);
int run_pixie_query(const GlobalOptions& options, const PixieOptions& pixie,
                    const std::string& query);
int run_scripts_list(const GlobalOptions& options, const PixieOptions& pixie);
int run_scripts_help(const GlobalOptions& options, const PixieOptions& pixie,
                     const std::string& name);
int run_scripts_run(const GlobalOptions& options, const PixieOptions& pixie,
                    const std::string& name, const std::string& params);

}  // namespace observo::cli
