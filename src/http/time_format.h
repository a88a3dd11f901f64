// Timestamps in API output: RFC 3339 in UTC with milliseconds ("2024-05-01T12:34:56.789Z"),
// the form /health and /api/v1/sources promise, and a short human form of a duration for the
// status page.
#pragma once

#include <chrono>
#include <string>

namespace observo::http {

std::string format_rfc3339(std::chrono::system_clock::time_point time);

// "3d 4h 5m 6s", leading zero units left out ("42s").
std::string format_duration(std::chrono::seconds duration);

}  // namespace observo::http
