// Builds the sources the configuration enables. Each source issue adds its one line here.
#pragma once

#include <memory>
#include <vector>

#include "observo/common/result.h"
#include "observo/config/config.h"
#include "observo/metrics/hub.h"
#include "observo/source.h"

namespace observo::cli {

Result<std::vector<std::unique_ptr<Source>>> make_sources(const config::Config& config,
                                                          metrics::Hub& hub, SourceBoard& board);

}  // namespace observo::cli
