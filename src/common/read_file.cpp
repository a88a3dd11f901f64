#include "common/read_file.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace observo::common {

Result<std::string> read_file(const std::string& path) {
  const auto cannot = [&path](const std::string& reason) {
    return make_error("cannot read '" + path + "': " + reason);
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return cannot("it is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot(errno != 0 ? std::generic_category().message(errno) : "cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return cannot("read error");
  return std::move(text).str();
}

}  // namespace observo::common
