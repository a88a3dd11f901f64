// How one Vizier cell becomes text: UINT128 as a UUID, TIME64NS as RFC 3339 with nanoseconds
// (or integer nanoseconds on request), FLOAT64 in the shortest form that reads back exactly
// (locale-independent), STRING as UTF-8 with every invalid byte written as \xNN, never dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sources/pixie/decoder.h"

namespace observo::pixie {

enum class TimeFormat { kRfc3339, kNanoseconds };

std::string uuid_text(std::uint64_t high, std::uint64_t low);
std::string rfc3339_nanos(std::int64_t unix_nanos);
std::string float_text(double value);  // "NaN", "+Inf", "-Inf" for non-finite values
std::string sanitize_utf8(std::string_view bytes);
void append_json_string(std::string& out, std::string_view utf8);  // quoted, escaped

// The cell as plain text (CSV, labels).
std::string cell_text(const vizierpb::Column& column, int row, TimeFormat time_format);
// The cell as a JSON value (numbers and booleans bare, non-finite floats as null).
void append_cell_json(std::string& out, const vizierpb::Column& column, int row,
                      TimeFormat time_format);
// The cell as a double for metrics; false for strings and UUIDs.
bool cell_number(const vizierpb::Column& column, int row, double& out);

}  // namespace observo::pixie
