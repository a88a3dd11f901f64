#include "metrics/encoders/number.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "metrics/encoders/output_buffer.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace detail {
namespace {

// Writes NaN and the infinities; nullptr for finite values.
char* write_special(char* p, double value) {
  if (std::isnan(value)) return put(p, "NaN");
  if (std::isinf(value)) return put(p, value > 0 ? "+Inf" : "-Inf");
  return nullptr;
}

// Integral values up to 2^53 as plain integers (never an exponent); nullptr otherwise.
char* write_exact_integer(char* p, double value) {
  if (!(std::fabs(value) <= kMaxExactInteger)) return nullptr;
  const auto integer = static_cast<std::int64_t>(value);
  if (static_cast<double>(integer) != value) return nullptr;
  return std::to_chars(p, p + kMaxNumberLength, integer).ptr;
}

}  // namespace

char* write_number(char* p, double value) {
  if (char* end = write_exact_integer(p, value)) return end;
  if (char* end = write_special(p, value)) return end;
  return std::to_chars(p, p + kMaxNumberLength, value).ptr;
}

char* write_canonical_float(char* p, double value) {
  if (char* end = write_exact_integer(p, value)) return put(end, ".0");
  if (char* end = write_special(p, value)) return end;
  char* end = std::to_chars(p, p + kMaxNumberLength, value).ptr;
  if (std::string_view(p, static_cast<std::size_t>(end - p)).find_first_of(".e") ==
      std::string_view::npos) {
    end = put(end, ".0");
  }
  return end;
}

}  // namespace detail

void append_number(std::string& out, double value) {
  char buffer[detail::kMaxNumberLength];
  const char* end = detail::write_number(buffer, value);
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

}  // namespace observo::metrics
