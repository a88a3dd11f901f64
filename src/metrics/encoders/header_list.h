// A reader for the comma-separated, parameterised HTTP header lists that content negotiation
// parses (Accept, Accept-Encoding; RFC 9110 section 12.5): elements split on commas outside
// quoted strings, parameters split on semicolons, names compared case-insensitively, and
// quality values parsed without the C library so the process locale cannot change them.
#pragma once

#include <optional>
#include <string_view>

namespace observo::metrics::detail {

std::string_view trim(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

// Splits off the text before the first `separator` outside double quotes; `rest` keeps what
// follows it (empty when there was none).
std::string_view next_item(std::string_view& rest, char separator);

// "name=value" with optional whitespace and a quoted value unquoted.
struct Parameter {
  std::string_view name;
  std::string_view value;
};
Parameter parse_parameter(std::string_view text);

// RFC 9110 qvalue: "0", "0.5", "1.000"; nullopt for anything else.
std::optional<double> parse_qvalue(std::string_view text);

}  // namespace observo::metrics::detail
