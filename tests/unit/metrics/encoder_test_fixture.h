// The one exposition every encoder test and golden file is written from: each metric type,
// values that are hard to print (NaN, infinities, 2^53, 0.1, 1e-300), label values and HELP
// texts that need escaping, invalid UTF-8, and one family published by two snapshots.
#pragma once

#include <string>

#include "observo/metrics/hub.h"

namespace observo::metrics::testing {

Exposition make_encoder_fixture();

// Path of a golden file under tests/testdata/encoders.
std::string golden_path(const std::string& name);
std::string read_file(const std::string& path);

// Compares `actual` with the golden file; with OBSERVO_UPDATE_GOLDEN=1 in the environment,
// rewrites the golden file instead (review the diff before committing it).
void expect_golden(const std::string& name, const std::string& actual);

}  // namespace observo::metrics::testing
