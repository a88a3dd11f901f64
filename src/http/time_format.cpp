#include "http/time_format.h"

#include <ctime>

#include <fmt/format.h>

namespace observo::http {

std::string format_rfc3339(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto since_epoch = duration_cast<milliseconds>(time.time_since_epoch()).count();
  auto seconds_part = static_cast<std::time_t>(since_epoch / 1000);
  auto millis = since_epoch % 1000;
  if (millis < 0) {  // before 1970: floor, not truncate
    millis += 1000;
    seconds_part -= 1;
  }
  std::tm tm{};
  gmtime_r(&seconds_part, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(millis));
}

std::string format_duration(std::chrono::seconds duration) {
  auto total = duration.count();
  if (total < 0) total = 0;
  const auto days = total / 86400;
  const auto hours = total % 86400 / 3600;
  const auto minutes = total % 3600 / 60;
  const auto seconds = total % 60;
  std::string out;
  if (days > 0) out += fmt::format("{}d ", days);
  if (days > 0 || hours > 0) out += fmt::format("{}h ", hours);
  if (days > 0 || hours > 0 || minutes > 0) out += fmt::format("{}m ", minutes);
  out += fmt::format("{}s", seconds);
  return out;
}

}  // namespace observo::http
