// Locale-independent number formatting for the encoders (the public append_number is declared
// in observo/metrics/encoder.h). Everything goes through std::to_chars, which never consults
// the process locale, so a daemon embedded in a program that sets a German locale still writes
// "0.5" and not "0,5".
#pragma once

#include <cstddef>

namespace observo::metrics::detail {

// Largest magnitude below which every integer is exactly representable in a double.
inline constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

// Room a caller must leave for one number ("-1.7976931348623157e+308" is 24 bytes).
inline constexpr std::size_t kMaxNumberLength = 32;

// Integral values up to 2^53 as integers, NaN, +Inf, -Inf, otherwise the shortest
// representation that parses back to the same double. Returns the end of what it wrote.
char* write_number(char* p, double value);

// OpenMetrics canonical form for `le` and `quantile` label values: like write_number, but an
// integral value keeps a fractional part ("1.0"), as client_golang writes it.
char* write_canonical_float(char* p, double value);

}  // namespace observo::metrics::detail
